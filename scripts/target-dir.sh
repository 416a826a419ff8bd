# Sourced by the scripts: build artifacts live outside the clone so repeated runs reuse
# them, one directory per clone. Cargo keeps a crate's fingerprint when a workspace
# moves, so a target directory shared by two clones hands one clone test binaries that
# were compiled with the other's paths (env!("CARGO_MANIFEST_DIR")) and read its files.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  CARGO_TARGET_DIR=$HOME/.cache/byod-target-$(pwd -P | cksum | cut -d' ' -f1)
fi
export CARGO_TARGET_DIR
