"""Sources and sinks: the only modules that touch files, streams and sockets."""
