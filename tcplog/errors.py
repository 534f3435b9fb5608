"""One exception tree for tcplog; foreign errors are mapped at the boundary."""


class TcplogError(Exception):
    """Base of every error tcplog raises on purpose."""


class UsageError(TcplogError):
    """The command line or configuration is wrong (exit code 2)."""


class InputError(TcplogError):
    """An input (file, stream, record) cannot be read; names what and why."""

    def __init__(self, where: str, why: str):
        super().__init__(f"{where}: {why}")
        self.where = where
        self.why = why


class FramingError(TcplogError):
    """A record does not fit the framing it was forced into."""
