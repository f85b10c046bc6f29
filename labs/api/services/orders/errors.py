from fastapi import FastAPI


def install(app: FastAPI) -> None:
    # For now FastAPI's own error answers: {"detail": ...} as application/json.
    pass
