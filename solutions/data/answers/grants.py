def grants(service: str, password: str) -> list[str]:
    schema = f"{service}_db"
    return [
        f"CREATE USER '{service}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `{schema}`.* TO '{service}'@'%'",
    ]
