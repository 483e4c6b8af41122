# warren: Prometheus exporter for RabbitMQ.
#   docker build -t warren .
#   docker run -p 9419:9419 -e WARREN_RABBITMQ_PASSWORD=... warren --rabbitmq.url=http://rabbit:15672 --rabbitmq.user=monitor
# tests/docker/check_dockerfile.py checks this file: the runtime packages below must be exactly the
# Debian packages providing the shared libraries warren links (ldd), minus what bookworm-slim has.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config \
      prometheus-cpp-dev libcpp-httplib-dev rapidjson-dev libabsl-dev libyaml-cpp-dev libre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# No tests: they need GTest and promtool, and run outside the image (scripts/test).
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DWARREN_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target warren \
 && cmake --install /build --prefix /usr/local --strip

FROM debian:bookworm-slim AS runtime
# Only the libraries warren links that bookworm-slim lacks (libc6, libgcc-s1, libstdc++6 and zlib1g
# are already there); ca-certificates for an https:// broker URL.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libabsl20220623 \
      libbrotli1 \
      libcpp-httplib0.11 \
      libprometheus-cpp-core1.0 \
      libre2-9 \
      libyaml-cpp0.7 \
      libssl3 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Fixed UID/GID so volume permissions and runAsNonRoot policies can rely on it.
RUN groupadd --system --gid 65532 warren \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin warren
COPY --from=build /usr/local/bin/warren /usr/local/bin/warren
USER 65532:65532
EXPOSE 9419
# warren --healthcheck asks the running warren's /healthz on --web.listen-address (default :9419);
# no curl in the image just for this. Set the same listen address here if you change it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/warren", "--healthcheck"]
ENTRYPOINT ["warren"]
CMD ["--web.listen-address=:9419"]
