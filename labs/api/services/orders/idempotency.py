from fastapi import FastAPI


def install(app: FastAPI) -> None:
    # For now every POST is carried out, however often it is sent.
    pass
