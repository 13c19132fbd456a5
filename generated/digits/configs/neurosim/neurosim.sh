#!/bin/sh
# Builds DNN+NeuroSim V1.4 for digits on digits_tile and runs it on this directory's files (written by imcc).
# Usage: sh neurosim.sh NEUROSIM_DIR [BUILD_DIR]
#   NEUROSIM_DIR  DNN_NeuroSim_V1.4/Inference_pytorch/NeuroSIM (left unchanged; its object files are reused)
#   BUILD_DIR     where the copy with this network's Param.cpp is built (default: ./build); rebuilt only when the
#                 Param.cpp values differ
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:?usage: sh neurosim.sh NEUROSIM_DIR [BUILD_DIR]}" && pwd)
build=${2:-$here/build}
settings='operationmode=2;memcelltype=2;novelMapping=true;numRowSubArray=8;numColSubArray=8;levelOutput=1024;cellBit=7;'

if [ ! -x "$build/main" ] || [ "$(cat "$build/imcc-param-settings" 2>/dev/null)" != "$settings" ]; then
  mkdir -p "$build"
  cp -a "$src/." "$build/"
  chmod -R u+w "$build"
  rm -f "$build/main" "$build/imcc-param-settings"
  # Each value replaces the right-hand side of `name = ...;` at the start of a line of Param.cpp.
  sed -i -E 's/^([[:space:]]*operationmode[[:space:]]*=)[^;]*;/\1 2;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*memcelltype[[:space:]]*=)[^;]*;/\1 2;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*novelMapping[[:space:]]*=)[^;]*;/\1 true;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*numRowSubArray[[:space:]]*=)[^;]*;/\1 8;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*numColSubArray[[:space:]]*=)[^;]*;/\1 8;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*levelOutput[[:space:]]*=)[^;]*;/\1 1024;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*cellBit[[:space:]]*=)[^;]*;/\1 7;/' "$build/Param.cpp"
  make -C "$build" >&2
  printf '%s' "$settings" > "$build/imcc-param-settings"
fi

cd "$here"
exec "$build/main" NetWork.csv 8 8 8 8 weight_01_conv1_Conv.csv input_01_conv1_Conv.csv weight_02_conv2_Conv.csv input_02_conv2_Conv.csv weight_03_conv3_Conv.csv input_03_conv3_Conv.csv weight_04_fc_Gemm.csv input_04_fc_Gemm.csv
