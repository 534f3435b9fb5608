# tcplog image: the command-line tool. Default command: scan logs mounted at /logs;
# docker-compose.yml runs `tcplog kafka --config /etc/tcplog/kafka.toml` from it.
FROM python:3.11-slim
WORKDIR /opt/tcplog
COPY pyproject.toml README.md ./
COPY tcplog ./tcplog
COPY grammars ./grammars
COPY connectors ./connectors
COPY samples ./samples
# [codecs]: lz4 and snappy, so every Kafka compression can be read and written
RUN pip install --no-cache-dir ".[codecs]" && useradd --system --no-create-home tcplog
USER tcplog
# tcplog kafka --metrics-port 9464: /metrics, /healthz, /readyz
EXPOSE 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["tcplog"]
CMD ["scan", "/logs", "--stats"]
