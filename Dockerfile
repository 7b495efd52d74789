# The runner builds this with `docker build -f Dockerfile <this folder>` on every
# run of a `uses: ./` step; releases ship a prebuilt image pinned by digest instead
# (release.yml).
FROM python:3.12-slim

# Unbuffered: the runner reads stdout through a pipe, and progress must show as it
# happens. No USER: GitHub runs container actions as root, and another user could
# not write the runner's file commands (owned by the runner's uid, 1001 on hosted).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The locked tree first, so a change to the source reuses this layer. Every file is
# checked against its hash; wheels only: the slim base has no compiler.
COPY requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /app/requirements.txt

# qarun itself, built with the locked setuptools, which leaves in the same layer (only the
# build needs it), and compiled once here: PYTHONDONTWRITEBYTECODE keeps runs from writing
# caches, so without this every job would compile qarun again before its first request.
COPY requirements-build.txt pyproject.toml README.md LICENSE action.yml /app/
COPY src /app/src
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /app/requirements-build.txt \
    && pip install --no-cache-dir --no-deps --no-build-isolation /app \
    && pip uninstall --yes --quiet setuptools \
    && python -m compileall -q "$(python -c 'import qarun, os; print(os.path.dirname(qarun.__file__))')"

ARG SOURCE=https://github.com/qarun/qarun
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.title="qarun"

# entrypoint.py: the same program as `python -m qarun` and `qarun`, by absolute path.
COPY entrypoint.py /app/entrypoint.py
ENTRYPOINT ["python", "/app/entrypoint.py"]
