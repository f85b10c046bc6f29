"""Errors a learner can act on: each message is one sentence saying what happened and what to do."""


class MsalabError(Exception):
    """A failure with a message meant for people; the CLI and notebooks show it without a traceback."""


class DockerUnavailable(MsalabError):
    pass


class UnknownLab(MsalabError):
    pass


class ImageMissing(MsalabError):
    pass


class PortInUse(MsalabError):
    pass


class NotReady(MsalabError):
    pass


class TopologyError(MsalabError):
    pass
