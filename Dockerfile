# eventmock's runtime image: a prebuilt release binary on Debian bookworm-slim.
#
#   cargo build --release -p eventmock      # on a glibc ≤ 2.36 system (bookworm's), e.g. Debian 12
#   docker build -t eventmock .
#   docker run --rm -p 8080:8080 eventmock
#
# Only target/release/eventmock is sent to the daemon (see .dockerignore). `cargo xtask image`
# builds, runs and probes this image (CI runs it).
FROM debian:bookworm-slim

COPY target/release/eventmock /usr/local/bin/eventmock

# An unprivileged user; the server needs no file system access beyond reading scenarios.
USER 65532:65532
EXPOSE 8080

# `eventmock healthcheck` asks GET /__eventmock/health (any peer, no token): no curl needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/eventmock", "healthcheck", "http://127.0.0.1:8080"]

# Inside a container the clients' address is the bridge gateway, not loopback: the admin API
# answers them only with `--admin-remote --admin-token T` added to the command.
ENTRYPOINT ["/usr/local/bin/eventmock"]
CMD ["serve", "--bind", "0.0.0.0", "--port", "8080"]
