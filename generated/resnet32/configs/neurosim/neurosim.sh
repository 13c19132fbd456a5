#!/bin/sh
# Builds DNN+NeuroSim V1.4 for resnet32 on dazzi2021 and runs it on this directory's files (written by imcc).
# Usage: sh neurosim.sh NEUROSIM_DIR [BUILD_DIR]
#   NEUROSIM_DIR  DNN_NeuroSim_V1.4/Inference_pytorch/NeuroSIM (left unchanged; its object files are reused)
#   BUILD_DIR     where the copy with this network's Param.cpp is built (default: ./build); rebuilt only when the
#                 Param.cpp values differ
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:?usage: sh neurosim.sh NEUROSIM_DIR [BUILD_DIR]}" && pwd)
build=${2:-$here/build}
settings='operationmode=2;memcelltype=2;novelMapping=true;numRowSubArray=64;numColSubArray=64;levelOutput=1024;cellBit=4;resistanceOn=40000;resistanceOff=10000000;'

if [ ! -x "$build/main" ] || [ "$(cat "$build/imcc-param-settings" 2>/dev/null)" != "$settings" ]; then
  mkdir -p "$build"
  cp -a "$src/." "$build/"
  chmod -R u+w "$build"
  rm -f "$build/main" "$build/imcc-param-settings"
  # Each value replaces the right-hand side of `name = ...;` at the start of a line of Param.cpp.
  sed -i -E 's/^([[:space:]]*operationmode[[:space:]]*=)[^;]*;/\1 2;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*memcelltype[[:space:]]*=)[^;]*;/\1 2;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*novelMapping[[:space:]]*=)[^;]*;/\1 true;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*numRowSubArray[[:space:]]*=)[^;]*;/\1 64;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*numColSubArray[[:space:]]*=)[^;]*;/\1 64;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*levelOutput[[:space:]]*=)[^;]*;/\1 1024;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*cellBit[[:space:]]*=)[^;]*;/\1 4;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*resistanceOn[[:space:]]*=)[^;]*;/\1 40000;/' "$build/Param.cpp"
  sed -i -E 's/^([[:space:]]*resistanceOff[[:space:]]*=)[^;]*;/\1 10000000;/' "$build/Param.cpp"
  make -C "$build" >&2
  printf '%s' "$settings" > "$build/imcc-param-settings"
fi

cd "$here"
exec "$build/main" NetWork.csv 8 8 64 64 weight_01_stem_conv.csv input_01_stem_conv.csv weight_02_stage1_0_c1.csv input_02_stage1_0_c1.csv weight_03_stage1_0_c2.csv input_03_stage1_0_c2.csv weight_04_stage1_1_c1.csv input_04_stage1_1_c1.csv weight_05_stage1_1_c2.csv input_05_stage1_1_c2.csv weight_06_stage1_2_c1.csv input_06_stage1_2_c1.csv weight_07_stage1_2_c2.csv input_07_stage1_2_c2.csv weight_08_stage1_3_c1.csv input_08_stage1_3_c1.csv weight_09_stage1_3_c2.csv input_09_stage1_3_c2.csv weight_10_stage1_4_c1.csv input_10_stage1_4_c1.csv weight_11_stage1_4_c2.csv input_11_stage1_4_c2.csv weight_12_stage2a_c1.csv input_12_stage2a_c1.csv weight_13_stage2a_c2.csv input_13_stage2a_c2.csv weight_14_stage2a_s.csv input_14_stage2a_s.csv weight_15_stage2_0_c1.csv input_15_stage2_0_c1.csv weight_16_stage2_0_c2.csv input_16_stage2_0_c2.csv weight_17_stage2_1_c1.csv input_17_stage2_1_c1.csv weight_18_stage2_1_c2.csv input_18_stage2_1_c2.csv weight_19_stage2_2_c1.csv input_19_stage2_2_c1.csv weight_20_stage2_2_c2.csv input_20_stage2_2_c2.csv weight_21_stage2_3_c1.csv input_21_stage2_3_c1.csv weight_22_stage2_3_c2.csv input_22_stage2_3_c2.csv weight_23_stage3a_c1.csv input_23_stage3a_c1.csv weight_24_stage3a_c2.csv input_24_stage3a_c2.csv weight_25_stage3a_s.csv input_25_stage3a_s.csv weight_26_stage3_0_c1.csv input_26_stage3_0_c1.csv weight_27_stage3_0_c2.csv input_27_stage3_0_c2.csv weight_28_stage3_1_c1.csv input_28_stage3_1_c1.csv weight_29_stage3_1_c2.csv input_29_stage3_1_c2.csv weight_30_stage3_2_c1.csv input_30_stage3_2_c1.csv weight_31_stage3_2_c2.csv input_31_stage3_2_c2.csv weight_32_stage3_3_c1.csv input_32_stage3_3_c1.csv weight_33_stage3_3_c2.csv input_33_stage3_3_c2.csv weight_34_logits.csv input_34_logits.csv
