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


class SnapshotError(InputError):
    """A host snapshot (file or document) is malformed; names the file and the field.

    `where` is the file (or `<stdin>`), `field` the dotted path inside the document
    (`sockstat.TCP.tw`, `sysctl["net.ipv4.tcp_mem"]`), or None when the whole file is bad.
    """

    def __init__(self, where: str, field: str | None, why: str):
        super().__init__(where, f"{field}: {why}" if field else why)
        self.field = field
        self.problem = why


class RuleError(TcplogError):
    """A classification rule file is invalid; names the file and the key inside it."""

    def __init__(self, where: str, key: str | None, why: str):
        super().__init__(f"{where}: {key}: {why}" if key else f"{where}: {why}")
        self.where = where
        self.key = key
        self.why = why
