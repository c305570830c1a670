# The shim image: the static airbyte-to-flow binary alone, at /airbyte-to-flow,
# built for linux/amd64 only (connector Dockerfiles pin the same platform).
# Derived connector images copy it with
#   COPY --from=<this image> /airbyte-to-flow ./
FROM --platform=linux/amd64 debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config file rapidjson-dev libprotobuf-dev protobuf-compiler \
      libgrpc++-dev protobuf-compiler-grpc libabsl-dev libspdlog-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# .git stays out of the image context: the commit --version shows comes in as an argument.
ARG ATF_COMMIT=unknown
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DATF_BUILD_TESTS=OFF -DATF_COMMIT="${ATF_COMMIT}" \
 && cmake --build build --target airbyte-to-flow \
 && file build/airbyte-to-flow | grep -q "statically linked"

FROM --platform=linux/amd64 scratch
COPY --from=build /src/build/airbyte-to-flow /airbyte-to-flow
ENTRYPOINT ["/airbyte-to-flow"]
