# Ordermesh's image, for docker-compose.yml and for production.
#
#   runtime (the default, last stage): the product alone, `pip install -c constraints.txt .`;
#            runs `python -m api` or `python -m workers`.
#   dev:     adds the `dev` extras (the pinned outside counterparts such as mock-sap);
#            runs mock-sap and the sandbox in the compose topology.
#
# pip uses whatever index the build machine is configured with; none is named here. To
# use a mirror, hand pip its config as a build secret (never baked into a layer):
#   docker build --secret id=pipconf,src="$HOME/.config/pip/pip.conf" .

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
# A fixed non-root uid; /data is where the SQLite-backed counterparts keep their files
# (a named volume mounted there starts out owned by this user).
RUN groupadd --system --gid 10001 ordermesh \
    && useradd --system --uid 10001 --gid ordermesh --home-dir /app --shell /usr/sbin/nologin ordermesh \
    && mkdir -p /app /data \
    && chown ordermesh:ordermesh /data
WORKDIR /app

# --- build: the product and its runtime pins, in a venv copied into the final stage ---
FROM base AS build
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt ./
# Dependencies first, as their own layer: rebuilt only when the pins change.
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pipconf,target=/etc/pip.conf \
    python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/runtime.txt \
    && pip install -c constraints.txt -r /tmp/runtime.txt
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pipconf,target=/etc/pip.conf \
    pip install -c constraints.txt .

# --- build-dev: the same plus the dev extras ---
FROM build AS build-dev
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pipconf,target=/etc/pip.conf \
    pip install -c constraints.txt '.[dev]'

# --- dev: mock-sap and the sandbox ---
FROM base AS dev
COPY --from=build-dev /opt/venv /opt/venv
USER 10001:10001
CMD ["python", "-m", "sandbox"]

# --- runtime: api and workers (the default target) ---
FROM base AS runtime
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "api"]
