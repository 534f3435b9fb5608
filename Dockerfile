# tcplog image: the command-line tool; the default command scans logs mounted at /logs.
FROM python:3.11-slim
WORKDIR /opt/tcplog
COPY pyproject.toml README.md ./
COPY tcplog ./tcplog
COPY grammars ./grammars
COPY connectors ./connectors
COPY samples ./samples
RUN pip install --no-cache-dir . && useradd --system --no-create-home tcplog
USER tcplog
ENTRYPOINT ["tcplog"]
CMD ["scan", "/logs", "--stats"]
