# rssflow container image: the Debian package, built in a Debian 12 stage and installed into
# debian:12-slim; runs as the system user rssflow (uid/gid 65532, as the Kubernetes manifests in
# config/deploy/ expect: a numeric USER lets Kubernetes check runAsNonRoot).
#
#   docker build -t ghcr.io/rssflow/rssflow:0.1.0 .
#   docker run --rm ghcr.io/rssflow/rssflow:0.1.0 run --sources /usr/share/rssflow/snapshot/sources.opml --out -
#   docker run --rm -e DATABASE_URL ghcr.io/rssflow/rssflow:0.1.0 migrate
#
# The tag is the project version (CMakeLists.txt); tests/pipeline/deploy_config_test.py checks
# that the manifests name it.

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config ca-certificates dpkg-dev file help2man \
      libcurl4-openssl-dev libpugixml-dev libpqxx-dev libtbb-dev libre2-dev libxxhash-dev libcld2-dev zlib1g-dev \
      libcli11-dev nlohmann-json3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the binary and the package: no tests, no benchmarks.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRSSFLOW_TESTS=OFF -DRSSFLOW_BENCH=OFF \
 && cmake --build build -j"$(nproc)" \
 && cd build && cpack \
 && mkdir /package && cp rssflow_*.deb /package/

FROM debian:12-slim
COPY --from=build /package/ /tmp/package/
# The user exists before the package, so postinst keeps it and its fixed ids. apt resolves the
# package's dependencies (libcurl, libpqxx, oneTBB, RE2, ...).
RUN groupadd --system --gid 65532 rssflow \
 && useradd --system --uid 65532 --gid rssflow --home-dir /var/lib/rssflow --no-create-home \
      --shell /usr/sbin/nologin rssflow \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/package/rssflow_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/package \
 && rssflow --version
USER 65532:65532
WORKDIR /var/lib/rssflow
ENTRYPOINT ["rssflow"]
CMD ["--help"]
