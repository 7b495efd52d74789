# The runner builds this with `docker build -f Dockerfile <this folder>` on every
# run of a `uses: ./` step; releases ship a prebuilt image instead (release.yml).
FROM python:3.12-slim

# Unbuffered: the runner reads stdout through a pipe, and progress must show as it
# happens. No USER: GitHub runs container actions as root, and another user could
# not write the runner's file commands (owned by the runner's uid, 1001 on hosted).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first, so a change to the source reuses this layer. Wheels only:
# the slim base has no compiler, and a source build would need one.
COPY requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir --only-binary=:all: -r /app/requirements.txt

COPY entrypoint.py /app/entrypoint.py
COPY src /app/src
# Compiled once here: PYTHONDONTWRITEBYTECODE keeps runs from writing caches, so without this
# every job would compile qarun again before its first request (bench/coldstart.py --uncompiled).
RUN python -m compileall -q /app/src

ENTRYPOINT ["python", "/app/entrypoint.py"]
