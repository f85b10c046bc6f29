"""Errors a learner can act on: each message is one sentence saying what happened and what to do."""


class MsalabError(Exception):
    """A failure with a message meant for people; the CLI and notebooks show it without a traceback."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the sentence, in the learner's language."""
        from msalab.error_messages import shown

        return [f"\x1b[31mmsalab:\x1b[0m {shown(self)}"]


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


class StaleNetwork(MsalabError):
    pass
