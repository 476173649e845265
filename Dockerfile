# syntax=docker/dockerfile:1
#
# leakwatch images, in three stages:
#   build    full dependencies; compiles src/ and crawlers/ to dist/ (npm run build)
#   tor      Debian's tor as a SOCKS proxy for the compose network (compose.yaml builds it with `target: tor`)
#   runtime  the leakwatch service (the default, last stage): production dependencies, Debian's Chromium, OCR and
#            PDF tools, a non-root user
#
#   docker build -t leakwatch .            # or: docker compose build
#
# compose.yaml sets the database URL and the secret key from secrets; test/packaging/compose.test.ts checks that
# this file and compose.yaml agree (ports, paths, variables). BuildKit is needed for the heredoc below.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG DEBIAN_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY crawlers ./crawlers
RUN npm run build

# ---------------------------------------------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS tor
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tor \
 && rm -rf /var/lib/apt/lists/*
COPY config/torrc /etc/tor/torrc
# Healthy once tor has bootstrapped to 100 %. The control port listens on the container's loopback only.
COPY --chmod=0755 <<'EOF' /usr/local/bin/tor-healthcheck
#!/bin/bash
# Healthy once tor has bootstrapped to 100 %. Asks the control port, which listens on this container's loopback
# only, authenticating with the cookie that tor writes into its data directory.
set -euo pipefail
port=${TOR_CONTROL_PORT:-9051}
cookie_file=${TOR_COOKIE_FILE:-/var/lib/tor/control_auth_cookie}
cookie=$(od -An -v -tx1 "$cookie_file" | tr -d ' \n')
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'AUTHENTICATE %s\r\nGETINFO status/bootstrap-phase\r\nQUIT\r\n' "$cookie" >&3
reply=$(timeout 5 cat <&3 | tr -d '\r')
case $reply in
  *" PROGRESS=100 "*) exit 0 ;;
esac
echo "tor is not bootstrapped: ${reply//$'\n'/ | }" >&2
exit 1
EOF
# Debian's package made /var/lib/tor (debian-tor, mode 2700); a new named volume mounted there starts as a copy of it.
USER debian-tor
VOLUME ["/var/lib/tor"]
EXPOSE 9050
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 CMD ["/usr/local/bin/tor-healthcheck"]
CMD ["tor", "-f", "/etc/tor/torrc"]

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# chromium renders pages that need scripts; tesseract (with French) and poppler-utils read scanned and text PDFs;
# tini reaps the browser's child processes. Chromium was checked to run headless without the recommended packages.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates chromium poppler-utils tesseract-ocr tesseract-ocr-fra tini \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 leakwatch \
 && useradd --system --uid 10001 --gid leakwatch --home-dir /home/leakwatch --create-home \
      --shell /usr/sbin/nologin leakwatch \
 && install -d -o leakwatch -g leakwatch -m 0700 /var/lib/leakwatch
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY config ./config
COPY drizzle ./drizzle
COPY --from=build /app/dist ./dist
# The compiled code finds config/ and drizzle/ at the package root (src/shared/paths.ts), here /app.
# The application files stay owned by root: the service can write only its data directory (and /tmp).
ENV LEAKWATCH_DATA_DIR=/var/lib/leakwatch \
    LEAKWATCH_HOST=0.0.0.0 \
    LEAKWATCH_PORT=8080 \
    LEAKWATCH_CHROMIUM_PATH=/usr/bin/chromium
VOLUME ["/var/lib/leakwatch"]
USER leakwatch
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=64", "bin/leakwatch.js", "start"]
