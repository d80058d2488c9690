# Dockerfile — a cudacell kernel image for gateway_provisioners'
# kubernetes-provisioner and docker-provisioner (README: Running on a
# cluster). It builds cudacell with the README's own setup command on
# NVIDIA's CUDA devel image (nvcc is needed at run time: CUDA cells are
# compiled in the kernel) and starts the kernel in launcher mode from the
# variables the gateway's launch_kubernetes.py / launch_docker.py pass.
#
#   docker build -t registry.example/cudacell-kernel:0.1 .
#   docker push registry.example/cudacell-kernel:0.1
#
# CUDA_IMAGE picks another tag of nvidia/cuda (a *-devel-ubuntu24.04 one).
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-devel-ubuntu24.04
FROM ${CUDA_IMAGE}

# The Debian/Ubuntu packages scripts/setup.sh checks for, installed here as
# root so that setup.sh, run below as the kernel's user, needs no sudo.
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential meson ninja-build \
        pkg-config libzmq3-dev libjansson-dev libssl-dev python3-venv python3-dev \
        zlib1g-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# The kernel runs as uid 1000, gid 100 (users): what gateway_provisioners
# asks for by default (KERNEL_UID / KERNEL_GID). Ubuntu's images hold a user
# "ubuntu" with that uid; it makes way for ours.
RUN (userdel --remove ubuntu 2>/dev/null || true) \
 && useradd --create-home --uid 1000 --gid 100 --shell /bin/bash cudacell
USER 1000:100
WORKDIR /home/cudacell/cudacell
COPY --chown=1000:100 . .

# README, Quick start: set up without starting JupyterLab. It builds into
# build/ and installs the kernel into .venv.
RUN scripts/setup.sh --no-lab

ENV PATH=/home/cudacell/cudacell/.venv/bin:/usr/local/cuda/bin:${PATH} \
    HOME=/home/cudacell
WORKDIR /home/cudacell
# Launcher mode (cudacell --help): the gateway sets the five variables
# (TRANSPORT_ENCRYPTION only when the client asks for CurveZMQ).
# Absolute paths and HOME set here: launch_kubernetes.py copies the server's
# whole environment (its PATH and HOME too) into the pod.
CMD ["sh", "-c", "export HOME=/home/cudacell; exec /home/cudacell/cudacell/.venv/bin/cudacell --kernel-id \"$KERNEL_ID\" --response-address \"$RESPONSE_ADDRESS\" --public-key \"$PUBLIC_KEY\" --port-range \"${PORT_RANGE:-0..0}\" --transport-encryption \"${TRANSPORT_ENCRYPTION:-}\""]
