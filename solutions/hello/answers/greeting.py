def greeting(name: str) -> str:
    proper = " ".join(part.capitalize() for part in name.split())
    return f"Hello, {proper}!"
