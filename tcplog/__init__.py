"""tcplog: kernel network-stack messages out of any log framing, as versioned JSON events.

The package is a pipeline, and the tree shows it:

    framing  (tcplog.framing)   bytes of one record -> Record (header fields + kernel text)
    grammar  (tcplog.grammars)  kernel text -> Match (family, message id, typed fields)
    dispatch (tcplog.dispatch)  literal prefilter + family dispatch + parse cache
    assemble (tcplog.assemble)  multi-line joins (martian `ll header:`)
    event    (tcplog.event)     Record + Match -> event dict (schema tcplog.event/2)
    render   (tcplog.render)    event -> bytes (orjson), once, at the end

I/O lives only in tcplog.connectors and tcplog.cli.
"""

__version__ = "0.1.0"
