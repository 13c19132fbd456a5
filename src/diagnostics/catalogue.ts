// The catalogue of diagnostic codes: each code has ONE message template with named arguments (`{name}`), its severity
// and a one-line description; `diagnostic(code, span, args)` fills the template, so a message can only be its code's
// template (test/diagnostics/catalogue.test.ts checks every code has a triggering test and docs/diagnostics.md lists
// them all). A retired code stays here, marked, so it is never reused. Ranges by phase, so phases never collide:
//   IMC001-IMC049 language (lexing, parsing, names, shapes, units, imports)   src/dsl, src/ir
//   IMC050-IMC069 mapping (tiles, grid)                                        src/mapping
//   IMC070-IMC089 input memories and schedules                                 src/memory
//   IMC090-IMC099 dataflow (links)                                             src/dataflow
//   IMC100-IMC119 output and files (compile, weights files, verify inputs)     src/emit, src/verify, src/cli
//   IMC160-IMC169 simulator exports (CrossSim, NeuroSim)                       src/emit/configs, src/cli
//   IMC140-IMC149 command-line tooling (git integration, output paths, caches)  src/cli
//   IMC190-IMC199 size limits of simulate and compile (docs/hardening.md)      src/dataflow, src/emit
//   IMC120-IMC139 trained models (weights files, .npy data, imcc import / evaluate)  src/ir, src/import, src/cli
//   IMC150-IMC155 accuracy under the analog model (imcc evaluate --analog, --sweep)  src/reference/analog, src/cli
//   IMC170-IMC179 report, language server and verify traces                    src/emit/report, src/cli
//   IMC180-IMC189 compile warnings (IMC183: the RTL refused, the rest written)  src/emit
//   IMC200-IMC205 quantized (QDQ) ONNX models                                   src/import
//   IMC206-IMC299 codes split off a code that covered several messages       every phase (mostly the language)
//   IMC085-IMC088, IMC093-IMC098, IMC105-IMC109: split off IMC002 (syntax), IMC074 (diff), IMC129 (import options),
//   IMC142 (command line) and IMC162 (NeuroSim); docs/diagnostics.md lists each with its phase
// The type of a code's arguments is read from its template, so `diagnostic('IMC050', span, { ... })` is checked
// against the placeholders of IMC050 (a missing or misspelt argument is a compile error).

export type Severity = 'error' | 'warning';

export interface CatalogueEntry {
  readonly severity: Severity;
  /** The message, with `{name}` where an argument goes (names are identifiers; other braces are literal). */
  readonly template: string;
  readonly description: string;
}

/** A code no check reports any more; kept so it is never given another meaning. */
export interface RetiredEntry {
  readonly retired: string;
}

export const CATALOGUE = {
  IMC001: { severity: 'error', template: 'unexpected character {character}', description: 'unexpected character in the source' },
  IMC002: { severity: 'error', template: 'expected {expected}, found {found}', description: 'syntax error: a token the grammar does not allow here (the message lists what it allows)' },
  IMC003: { severity: 'error', template: 'cannot read {file}: {reason}', description: 'a source file (the entry file or an import) cannot be read' },
  IMC004: { severity: 'error', template: 'import cycle: {cycle}', description: 'import cycle: a file imports itself, directly or through other files' },
  IMC005: { severity: 'error', template: "unknown name '{name}'{where}{suggestion}", description: 'unknown name: no layer, input, parameter or constant of that name is defined before this use' },
  IMC006: { severity: 'error', template: '{what} is already defined at {place}', description: 'duplicate name: a layer, block, target or network is defined twice' },
  IMC007: { severity: 'error', template: "unknown operation or block '{callee}'{suggestion}", description: 'unknown operation or block in a call' },
  IMC008: { severity: 'error', template: '{callee} takes {expected}, found {found}', description: 'wrong number of positional arguments in a call of an operation or block' },
  IMC009: { severity: 'error', template: "{callee}: unknown argument '{key}'{hint}", description: 'unknown named argument in a call of an operation or block' },
  IMC010: { severity: 'error', template: '{what}: missing {missing}{hint}', description: 'missing required argument or value' },
  IMC011: { severity: 'error', template: "unknown {what} '{key}' (expected {expected}){hint}", description: 'unknown statement or property in this section' },
  IMC012: { severity: 'error', template: '{what}: expected {label}{form}, found {found}', description: 'wrong kind of value (for example a name where a number is expected)' },
  IMC013: { severity: 'error', template: "{what}: '{unit}' is a unit of {actual}, {label} is a {dimension} (use {units})", description: 'a unit of the wrong dimension (for example a frequency where a time is expected)' },
  IMC014: { severity: 'error', template: '{what}: {label} must be {range}, not {value}', description: 'value out of its range (zero or negative size, too large)' },
  IMC015: { severity: 'error', template: '{what}: {label} must be a whole number', description: 'a whole number is required' },
  IMC016: { severity: 'error', template: "add: '{left}' is {leftShape} but '{right}' is {rightShape} (a shortcut(...) can match them)", description: 'residual add of tensors with different shapes' },
  IMC017: { severity: 'error', template: '{op}: the {kh}x{kw} {what} is larger than its {height}x{width} input{padded}', description: 'kernel or pooling window larger than its (padded) input' },
  IMC018: { severity: 'error', template: "fc: its input '{ins}' is {inShape}; flatten it first: fc(flatten({ins}), ...)", description: 'fully connected layer on a volume that is not flattened' },
  IMC019: { severity: 'error', template: "{what}: '{key}' is given twice{first}", description: 'a property, statement, setting or operation given twice in one section' },
  IMC020: { severity: 'error', template: '{what} is missing {missing}', description: 'missing required property or statement' },
  IMC021: { severity: 'error', template: "unknown target '{target}'{suggestion}{hint}", description: 'unknown target' },
  IMC022: { severity: 'error', template: "{file} declares more than one network (the first is '{first}'); put each in its own file", description: 'the entry file declares more than one network' },
  IMC023: { severity: 'error', template: "mapping {kind} '{selector}' matches no weight layer{hint}", description: 'mapping directive matches no weight layer' },
  IMC024: { severity: 'error', template: 'layer {layer}: method 2 arranges replicas in rows of dw; replicas {replicas} is fewer than dw {dW}', description: 'mapping directive: method 2 with fewer replicas than dw columns' },
  IMC025: { severity: 'error', template: 'network {network} needs {lacks}', description: 'a network without its input or output' },
  IMC026: { severity: 'error', template: "batchnorm: its input '{input}' is a {kind}; a batch norm is folded into the conv or fc layer right before it", description: 'a batch norm does not directly follow a conv or fc layer (it is folded into that layer)' },
  IMC027: { severity: 'error', template: "{what}: {label} must be a number, but '{layer}' is a layer", description: 'a layer where a number is expected' },
  IMC028: { severity: 'error', template: 'block {block} calls itself ({chain})', description: 'a block calls itself (directly or through other blocks)' },
  IMC029: { severity: 'error', template: 'the network expands to more than {nodes} layers or block instances, or nests blocks more than {blockDepth} deep', description: 'the design is too large (too many layers after expanding blocks and repetitions)' },
  IMC030: { severity: 'error', template: "unknown base network '{base}'{suggestion} (import the file that declares it)", description: 'extends names an unknown base network' },
  IMC031: { severity: 'error', template: "add: '{left}' has {leftBits}-bit activations but '{right}' has {rightBits}-bit", description: 'residual add of activations with different bit widths' },
  IMC032: { severity: 'error', template: 'block {block} has no return statement', description: 'a block has no return statement (it needs exactly one, as its last statement)' },
  IMC033: { severity: 'error', template: "{kind} needs the neuron core operation '{spelled}', which target {target} does not list in neuron_core ops", description: 'the target neuron core does not support an operation the network uses' },
  IMC034: { severity: 'error', template: "{kind} '{name}': names cannot contain '.' (dots separate instance names)", description: 'invalid layer name (names of layers and blocks cannot contain dots)' },
  IMC035: { severity: 'error', template: "'x {count}' repeats a block instance, but {callee} is not a block call", description: 'repetition `x N` on something that is not a block call' },
  IMC036: { severity: 'error', template: 'cannot write {file}: {why}', description: 'imcc fmt --write cannot write the formatted file' },
  IMC037: { severity: 'warning', template: "'{name}' is computed but never used: it does not lead to the output", description: 'warning: a layer is computed but never used (it does not lead to the output)' },
  IMC038: { severity: 'error', template: 'too many errors: {hidden} more from here on are not shown', description: 'too many errors: the first 100 are reported, the rest are not shown' },
  IMC039: { severity: 'error', template: '{file} has no declarations (import, target or network): nothing to format', description: 'imcc fmt: the file has no declarations (empty, or only comments)' },
  IMC040: { severity: 'error', template: "output '{output}' is not computed by any conv or fc layer: there is nothing to map onto crossbars", description: 'the network output is not computed by any conv or fc layer' },
  IMC041: { severity: 'error', template: "the name '{name}...' is {length} characters long; at most {max} are allowed (names become file names)", description: 'a name is longer than 200 characters (names become parts of output file names)' },
  IMC046: { severity: 'error', template: "{op}: {over} padding {pad} must be smaller than the {what}'s {axis} ({kh}x{kw})", description: "one side's padding (pad_top, pad_left, pad_bottom, pad_right) is not smaller than the window along that side" },
  IMC050: { severity: 'error', template: 'the network needs {total} cores ({weightLayers} weight layers, {split} of them split over several tiles of {tileRows}x{tileCols}), but the {gridRows}x{gridCols} grid has {gridCores}', description: 'the network needs more cores than the target grid has' },
  IMC051: { severity: 'error', template: "layer '{layer}' cannot be placed: its {matrixRows}x{matrixCols} collective kernel matrix needs {tiles} cores ({rowParts} row part{rowPartsPlural} x {colParts} column part{colPartsPlural} of {tileRows}x{tileCols} tiles), but the {gridRows}x{gridCols} grid has {gridCores}", description: 'a layer needs more tiles than the whole target grid has' },
  IMC052: { severity: 'error', template: "layer '{node}': {block} compute a {blockHeight}x{dW} block of output pixels, but its output is {height}x{width}", description: "a mapping directive's replica block (replicas / dW tall, dW wide) is larger than the layer's output" },
  IMC053: { severity: 'error', template: "'{node}' ({kind}) reads the network input directly; it must follow a weight layer, whose neuron core runs it", description: 'a non-weight operation has no weight layer whose neuron core could run it (it reads the network input)' },
  IMC054: { severity: 'error', template: "'{reader}' reads '{name}', an intermediate result of the neuron core of '{host}' (only its last result '{output}' leaves the core)", description: "an intermediate result inside a neuron core is used elsewhere (only a fused chain's last result leaves a core)" },
  IMC055: { severity: 'error', template: "'{add}' is a second residual add in the neuron core of '{layer}'; one core runs at most one", description: 'more than one residual add would run in the same neuron core' },
  IMC056: { retired: 'a replica block taller and wider than one pixel may leave idle rows at the bottom of the output plane: every phase computes it, the RTL too' },
  IMC057: { severity: 'error', template: "layer '{layer}': its {matrixRows}x{matrixCols} collective kernel matrix is taller than a {tileRows}-row tile and splits into {rowParts} partial sums, but the neuron core of target '{target}' cannot add them (add psum to its ops)", description: "a layer is split by rows but the target's neuron core cannot add partial sums (no psum in neuron_core ops)" },
  IMC058: { severity: 'error', template: "network '{network}' has no conv or fc layer: there is nothing to map onto crossbar tiles", description: 'the network has no weight layer (conv or fc), so there is nothing to map onto crossbar tiles' },
  IMC059: { severity: 'error', template: 'the network needs at least {minimalCores} cores (one replica per layer), more than the budget of {budget}', description: 'imcc optimize: the core budget is below the minimal mapping (the message says how many cores the network needs)' },
  IMC060: { severity: 'error', template: "a budget of {budget} cores is more than the {rows}x{cols} grid of target '{target}' has ({grid})", description: 'imcc optimize: the core budget is larger than the target grid' },
  IMC061: { severity: 'error', template: "strategy '{strategy}' finds no legal mapping within {budget} cores{bandwidthNote}", description: 'imcc optimize: no legal mapping within the budget (link bandwidth, input memories) for the strategy' },
  IMC062: { severity: 'error', template: 'mapping optimize: {problem} (optimize throughput|latency|balanced [cores N] [strategy S] [ignore_bandwidth])', description: 'mapping optimize: invalid directive (objective throughput|latency|balanced, cores N, strategy S)' },
  IMC063: { severity: 'error', template: 'cannot write {file}: {why}', description: 'imcc optimize --write cannot write the design file' },
  IMC064: { severity: 'error', template: 'layer {layer}: {replicas} replicas in columns of {rows} fill only {filled} of dw {dW} columns (the last is empty)', description: 'a ragged method-2 block leaves its last column empty (fewer replicas than dw columns of ceil(replicas / dw) can hold)' },
  IMC065: { severity: 'error', template: "'{add}' adds '{name}', a value of its own neuron core (of '{layer}'); a residual add's shortcut comes from another core", description: "a residual add's shortcut is its own weight layer's value, which the neuron core running the add computes itself" },
  IMC066: { severity: 'error', template: "'{add}' adds the pixels of '{right}' (its core sends a {rightVolume} volume) to those of '{left}' ({leftVolume}): the add pairs pixels, so a flatten before it must flatten the same volume on both sides", description: 'a residual add after a flatten pairs values of volumes that its cores send as different pixels' },
  IMC067: { severity: 'error', template: "'{reader}' ({kind}) reads '{name}', a flatten of a {volume} volume that its core sends as {pixels} pixels; only an fc layer, a ReLU, threshold or residual add, or the network output reads a flattened plane (flatten after the {kind})", description: 'a conv or pool reads a flatten of a plane larger than one pixel, which its core sends as that plane\'s pixels' },
  IMC070: { severity: 'error', template: "core {core} (layer '{layer}'): the {layout} layout of {height}x{columns} pixels of {pixelBits} bits needs {words} words of {wordBits} bits; the input memory has depth {depth} (a depth of {words} would fit it{alternatives})", description: "a core's input memory needs more words than the target's memory depth" },
  IMC071: { severity: 'error', template: "core {core} (layer '{layer}'): {layout} reads take {reads} clock cycles per timestep; the controller gives {cycles} ({clockHz} Hz x {timestepNs} ns; a timestep of {fittingNs} ns would fit it{alternatives})", description: "a core's reads for one timestep need more clock cycles than a timestep has (with the layout chosen)" },
  IMC072: { severity: 'error', template: "core {core} (layer '{layer}', {height}x{columns} pixels of {pixelBits} bits): no layout fits: {candidates}{hints}", description: 'layout auto: no layout fits a core (memory depth and reads per timestep)' },
  IMC073: { severity: 'error', template: "no core '{core}' in {file}; its cores are {ids}", description: 'imcc schedule --core names no core of the design' },
  IMC074: { severity: 'error', template: 'cannot read {path}: {reason}', description: 'imcc diff: an input file or directory cannot be read (exit 2)' },
  IMC076: { severity: 'error', template: "core {core} (layer '{layer}') waits for its residual shortcut while its producer sends on: its input ring must keep {columns} columns ({ownColumns} without the wait), {height}x{columns} pixels of {pixelBits} bits, more than the input memory's depth {depth} holds: {candidates}{hints}", description: "a core's input ring, widened for the columns that arrive while it waits for its residual shortcut, does not fit the memory depth" },
  IMC085: { severity: 'error', template: '{path} holds no schedules (no schedules/*.sched, no *.sched)', description: 'imcc diff: a directory without schedules (exit 2)' },
  IMC086: { severity: 'error', template: '{file}:{line}: not an imcc schedule: expected {expected}, found {found}', description: 'imcc diff: a text that does not follow the .sched format (docs/memory.md) (exit 2)' },
  IMC087: { severity: 'error', template: '--target {file} declares {count} targets; give a file with exactly one', description: 'imcc import: the --target file does not declare exactly one target' },
  IMC088: { severity: 'error', template: "{option} needs float images (the model's own input); {file} holds {dtype} values", description: 'imcc import --calibrate / evaluate --onnx: integer data where the float model needs its float input' },
  IMC090: { severity: 'warning', template: "link {from} -> {to} ({kind}) needs {gbps} Gbit/s ({transfersPerTimestep} x {bitsPerTransfer} bits per {ns} ns timestep, equation 7), over the target's {limit} Gbit/s{others}; the timing assumes every transfer takes one timestep", description: "a link needs more bandwidth (equation 7: bits sent in one timestep / timestep) than the target's links have" },
  IMC091: { severity: 'error', template: "cannot write the trace file '{path}' ({reason})", description: 'the simulation trace file (--trace) cannot be written' },
  IMC092: { severity: 'warning', template: "layer '{name}' must hold up to {inputBufferPixels} input pixels at once, more than the {inputMemoryPixels} (H x its ring's columns) its input memory stores: its input arrives faster than its {replicas} replica(s) compute", description: 'a layer must hold more input pixels than its input memory stores (its input arrives faster than it computes)' },
  IMC093: { severity: 'error', template: '( ) and { } nest too deeply to parse (at most {max} levels)', description: 'nesting of ( ) and { } deeper than 64 levels (or deeper than the stack lets the parser follow)' },
  IMC094: { severity: 'error', template: 'missing {what}', description: 'bad command line: a required argument, a required option, or the value of an option is missing (exit 2)' },
  IMC095: { severity: 'error', template: "{what} '{value}' is invalid: expected {expected}", description: 'bad command line: an option or argument value out of its range or not one of its choices (exit 2)' },
  IMC096: { severity: 'error', template: '{command} takes {expected}, got {count}', description: 'bad command line: a number of arguments the command does not take (commander: too many; imcc diff: other than 2 or 7) (exit 2)' },
  IMC097: { severity: 'error', template: '{option} cannot be used with {other}', description: 'bad command line: two options that exclude each other (exit 2)' },
  IMC098: { severity: 'error', template: "--percentile normalizes integrate-and-fire neurons; target {target} has no 'model if' neuron core", description: 'imcc import: --percentile for a target without integrate-and-fire neurons' },
  IMC100: { severity: 'error', template: 'cannot read the input image {path} ({reason})', description: 'the --input image file cannot be read' },
  IMC101: { severity: 'error', template: 'expected {expected}, found {found}', description: 'the --input image file is not a JSON array of integers (or a raw int8 file of the right size)' },
  IMC102: { severity: 'error', template: '{found}, but the {dims} input needs {count} ({layout})', description: 'the --input image has the wrong number of values for the network input (C*H*W)' },
  IMC103: { severity: 'error', template: '{place}{value} is outside the {bits}-bit input range [{lo}, {hi}]', description: 'an --input image value is outside the input activation range' },
  IMC104: { retired: 'batch-norm placement is checked once, when the network is read (IMC026)' },
  IMC105: { severity: 'error', template: '--labels {file}: expected {count} integer labels (shape ({count},)), found {dtype} of shape ({shape})', description: 'imcc evaluate: the labels are not one integer per image' },
  IMC106: { severity: 'error', template: "--onnx: the design's weights file gives no output.scale to compare its outputs with the float model (import it with imcc import)", description: 'imcc evaluate --onnx: the design has no output scale to compare with the float model' },
  IMC107: { severity: 'error', template: '--onnx {file}: the model has {modelOutputs} outputs, the design {designOutputs}', description: 'imcc evaluate --onnx: the float model and the design have different numbers of outputs' },
  IMC108: { severity: 'error', template: "--neurosim-run: NeuroSim's build or run exited with {status}: {output}", description: "imcc compile --neurosim-run: NeuroSim's build (make) or run failed (the message ends with its last lines of output)" },
  IMC109: { severity: 'error', template: "--neurosim-run: NeuroSim's output has no {missing} (it stopped early, or is not DNN+NeuroSim V1.4)", description: "imcc compile --neurosim-run: NeuroSim's output lacks its final report or a figure imcc reads" },
  IMC110: { severity: 'error', template: '{dir} {reason}; not writing there', description: 'the output directory is not an imcc output or not a directory (refusing to write there)' },
  IMC111: { severity: 'error', template: 'cannot write {dir}: {reason}', description: 'cannot write the output directory (or the files imcc import writes)' },
  IMC112: { retired: 'the RTL generator implements every design the mapping accepts (the last refusal, a residual add between two pools after a pool of which a pixel ends two windows in method-2 blocks, is generated)' },
  IMC113: { severity: 'error', template: '{dir} is not a compiled imcc output: it has no {file} (compile the design first: imcc compile)', description: 'imcc verify: the directory is not a compiled imcc output with RTL (no imcc-output.json, rtl/ file list or testbench)' },
  IMC114: { severity: 'error', template: 'the generated RTL does not {step} with Verilator:\n{output}', description: 'imcc verify: the generated RTL does not build, or its simulation writes no trace' },
  IMC120: { severity: 'error', template: 'cannot read the weights file {file} ({reason})', description: 'the weights file cannot be read or is not a .npz archive of .npy arrays' },
  IMC121: { severity: 'error', template: "weights file {file} has no array '{name}' ({what}, shape {shape})", description: 'the weights file lacks an array the network needs' },
  IMC122: { severity: 'error', template: "weights file {file}: '{name}'[{index}] = {value} is outside {what} [-{limit}, {limit}]", description: "a weights file value is outside its range (the layer's weight bits, the multiplier or bias limits)" },
  IMC123: { severity: 'error', template: '{file}: shape ({shape}) does not fit the network input: expected N x {chw} or {chw}', description: 'a .npy input or data file whose shape is not images of the network input' },
  IMC124: { severity: 'error', template: "{file} holds {dtype} floats, but the design has no input scale to quantize them with (give integers, or a weights file with 'input.scale', as imcc import writes)", description: "float .npy images need the design's input scale (input.scale in its weights file)" },
  IMC125: { severity: 'error', template: '{file} is not a readable ONNX model ({reason}; truncated file?)', description: 'imcc import: the model file does not decode as an ONNX model (truncated, not protobuf)' },
  IMC126: { severity: 'error', template: '{file} uses ONNX opset {opset}; the importer reads opsets {min} to {max} (re-export it, e.g. torch.onnx.export(..., opset_version=13))', description: "imcc import: the model's ONNX opset is outside the supported 11-18" },
  IMC127: { severity: 'error', template: "node '{node}' ({op}): {why}", description: 'imcc import: a node the importer does not support (operator, attribute such as groups or dilation, or its place in the graph; the reason names which)' },
  IMC128: { severity: 'error', template: 'the imported network does not {check} target {target}: {reasons}', description: 'imcc import: the imported network does not fit the target or its options (checked design, mapping onto the grid)' },
  IMC129: { severity: 'error', template: '--{option} {value}: expected {expected}', description: 'imcc import: a bit width (--weight-bits, --activation-bits, 2 to 16) or --percentile (above 0, at most 100) out of its range' },
  IMC130: { severity: 'error', template: "threshold: its input '{ins}' is 1 bit wide; a threshold needs a signed input of at least 2 bits", description: 'threshold: its input is already 1 bit wide (a threshold output); a threshold needs a signed input of at least 2 bits' },
  IMC131: { severity: 'error', template: "add: '{name}' is a 1-bit threshold output (0/1); a residual add needs signed activations of at least 2 bits", description: 'a residual add of a 1-bit threshold output (0/1); an add needs signed activations of at least 2 bits' },
  IMC132: { severity: 'error', template: "{kind}: '{name}' would have 1-bit signed activations (only -1 or 0); give it activation_bits 2 or more, and use threshold(...) for binary outputs", description: 'a weight layer with 1-bit activations: its outputs are signed, so 1 bit could only hold -1 or 0 (use threshold for 0/1)' },
  IMC134: { severity: 'error', template: "target {target}'s threshold {threshold} is above the largest {activationBits}-bit activation {signedMax}: a converted neuron could never fire every timestep (lower the threshold or give --activation-bits)", description: "imcc import: the integrate-and-fire target's threshold is above the largest activation, so a converted neuron could never fire every timestep" },
  IMC135: { severity: 'error', template: 'layer {name}: a clipped ReLU cannot become an integrate-and-fire neuron (its rate saturates at the normalization level, not at the clip)', description: 'imcc import: a clipped ReLU cannot be converted to an integrate-and-fire neuron' },
  IMC140: { severity: 'error', template: 'git {args}: {why}', description: 'imcc git-setup: git is missing, or the directory is not inside a git work tree' },
  IMC141: { severity: 'error', template: 'cannot use {dir} as the build cache ({reason}; choose another with --cache-dir)', description: 'imcc verify: the build cache directory (--cache-dir, $IMCC_CACHE_DIR) is a file or cannot be created' },
  IMC142: { severity: 'error', template: "unknown {kind} '{name}'{suggestion}", description: "bad command line: an unknown command or option (with commander's suggestion of a near name, if any) (exit 2)" },
  IMC150: { severity: 'error', template: "expected {form}, found '{found}'", description: 'imcc evaluate --sweep: the sweep is not written NAME=START:STOP:STEP' },
  IMC151: { severity: 'error', template: "unknown sweep parameter '{name}'; expected {expected}", description: 'imcc evaluate --sweep: unknown sweep parameter (noise or variation)' },
  IMC152: { severity: 'error', template: "the sweep {what} '{text}' is not a number", description: 'imcc evaluate --sweep: a start, stop or step that is not a number' },
  IMC153: { severity: 'error', template: 'the sweep stops ({stop}) before it starts ({start})', description: 'imcc evaluate --sweep: the sweep stops before it starts' },
  IMC154: { severity: 'error', template: "cannot write the CSV file '{csv}' ({reason})", description: 'imcc evaluate --csv: the CSV file cannot be written' },
  IMC155: { severity: 'error', template: '--{option} applies to the analog model: add --analog or --sweep', description: 'imcc evaluate: an analog option (--samples, --seed, --csv) without --analog or --sweep' },
  IMC156: { severity: 'error', template: 'neuron_core {key}: only integrate-and-fire neurons have a {key}; add `model if`', description: 'neuron_core: threshold, leak, reset and steps describe integrate-and-fire neurons and need `model if`' },
  IMC157: { severity: 'error', template: 'neuron_core leak: {leak} is not smaller than the threshold {threshold}: each timestep would drain more than a spike is worth, and the spike rate would no longer code the input', description: 'neuron_core: an integrate-and-fire leak must be smaller than its threshold (a larger leak breaks the rate code)' },
  IMC158: { severity: 'error', template: "relu: its input '{ins}' is 1 bit wide (spikes or a threshold); an integrate-and-fire neuron integrates signed inputs of at least 2 bits", description: 'integrate-and-fire neurons (model if): a relu whose input is 1 bit wide (spikes or a threshold output)' },
  IMC160: { severity: 'warning', template: 'configs/neurosim: {subArrayNote}', description: "warning: NeuroSim's chip hierarchy needs subarrays smaller than the target's crossbars" },
  IMC161: { severity: 'warning', template: 'configs/neurosim: NeuroSim cannot express {u}', description: 'warning: NeuroSim cannot express a setting of the target (levels, differential pairs, mixed bit widths)' },
  IMC162: { severity: 'error', template: "--neurosim-run: {dir} is not NeuroSim's NeuroSIM folder (no Param.cpp and main.cpp)", description: "imcc compile --neurosim-run: the folder given is not NeuroSim's NeuroSIM folder" },
  IMC163: { severity: 'warning', template: 'configs/neurosim: {spiking}', description: 'warning: NeuroSim cannot express integrate-and-fire neurons (no membrane; one pass per image where the design runs T timesteps)' },
  IMC170: { severity: 'error', template: '{target} is a directory but not an output of imcc compile (no imcc-output.json naming its source)', description: 'imcc report: the argument is neither a .imc design nor an output directory of imcc compile' },
  IMC171: { severity: 'error', template: "cannot write the report '{path}' ({reason})", description: 'imcc report: the report file cannot be written' },
  IMC172: { severity: 'error', template: 'cannot write the waveform into {dir}: {reason}', description: 'imcc verify --trace: the waveform (VCD) and address trace cannot be written' },
  IMC183: { retired: 'compile always writes rtl/ and tb/: the RTL generator refuses no mapped design (IMC112 retired)' },
  IMC190: { severity: 'error', template: "network {network} is too large to simulate: its crossbar operations need {neededInputs} input pixels in all (output pixels x kernel positions; the most in layer '{largest}'), more than the {max} that fit the simulator's memory bound (about 4 GB)", description: "the design is too large to simulate within the simulator's memory bound (the size is stated)" },
  IMC191: { severity: 'error', template: "network {network} is too large for schedule --json: its schedules hold {scheduleOps} memory operations (a write per input pixel, a read per kernel position, a compute per output pixel; the most in layer '{largest}'), more than the {max} that fit its memory bound (about 3 GB); the text form (without --json) is streamed and has no bound", description: 'the design is too large for imcc schedule --json, which builds its schedules whole (the size is stated)' },
  IMC192: { severity: 'warning', template: "network {network}: its schedules hold {scheduleOps} memory operations (the most in layer '{largest}'), about {gigabytes} GB of text, more than the {limit} lines compile writes; schedules/ is not written for this design (imcc schedule --core NAME prints one core's schedule)", description: 'warning: the schedules are too large to write (their operations and bytes are stated); compile skips schedules/' },
  IMC200: { severity: 'error', template: "node '{node}' ({opType}): {why}", description: 'imcc import: a QuantizeLinear / DequantizeLinear the neuron core cannot express (activation zero point, per-channel activation scale, weights not symmetric per output channel)' },
  IMC201: { severity: 'error', template: 'layer {layer}: its quantized weights reach {steps} steps, beyond the {bits}-bit symmetric range +-{max} (export symmetric, narrow-range weights, or give --weight-bits)', description: "imcc import: a quantized (QDQ) model's weights outside the target's symmetric weight range" },
  IMC206: { severity: 'error', template: 'layer {layer}: method 1 replicates in one direction (dw 1); dw {dW} needs method 2', description: 'mapping directive: a dw other than 1 without method 2' },
  IMC207: { severity: 'error', template: 'layer {layer}: method 2 needs dw of at least 2 (got {dW})', description: 'mapping directive: method 2 with dw below 2' },
  IMC208: { severity: 'error', template: 'block {block} has more than one return', description: 'a block has a second return statement' },
  IMC209: { severity: 'error', template: 'block {block}: return must be the last statement', description: 'a block\'s return is not its last statement' },
  IMC210: { severity: 'error', template: "'{name}' is used before its definition at line {line} (layers are defined in dataflow order)", description: 'a layer is used before the line that defines it' },
  IMC211: { severity: 'error', template: "network {network} has no target: write 'network {network} on TARGET {'", description: 'a network declares no target (network NAME on TARGET)' },
  IMC212: { severity: 'error', template: '{file} declares no network{detail}', description: 'the entry file declares no network (imcc check accepts a file of targets only)' },
  IMC213: { severity: 'error', template: "batchnorm: '{layer}' also feeds '{other}'; a weight layer followed by a batch norm must feed only it", description: 'the weight layer a batch norm folds into feeds another layer too' },
  IMC214: { severity: 'error', template: 'networks extend each other in a cycle: {chain}', description: 'networks extend each other in a cycle' },
  IMC215: { severity: 'error', template: 'network {network} extends {base}: it can only override {overridable}', description: 'an extending network has a statement it cannot override' },
  IMC216: { severity: 'error', template: "'x N' feeds each instance of {block} into the next one's first parameter, which must be a tensor", description: 'repetition `x N` of a block whose first parameter is not a tensor' },
  IMC217: { severity: 'error', template: "'x N' needs block {block} to return a tensor", description: 'repetition `x N` of a block that does not return a tensor' },
  IMC218: { severity: 'error', template: '{what}: expected a layer as input, found {found}', description: 'a number where a layer is expected' },
  IMC219: { severity: 'error', template: "block '{block}' has the name of a built-in operation", description: 'a block is named like a built-in operation' },
  IMC220: { severity: 'error', template: "block {block}: parameter '{parameter}' appears twice", description: 'a block lists the same parameter twice' },
  IMC221: { severity: 'error', template: 'block {block} takes {expected}; missing {missing}', description: 'a block call leaves parameters without a value (neither positional nor named)' },
  IMC222: { severity: 'error', template: "{callee}: argument '{key}' is given twice", description: 'a named argument is given twice in one call' },
  IMC223: { severity: 'error', template: 'import: the path is empty', description: 'an import with an empty path' },
  IMC224: { severity: 'error', template: 'unterminated string', description: 'a string that is not closed on its line' },
  IMC075: { severity: 'error', template: "the network output '{output}' is an intermediate result of the neuron core of '{host}'", description: "the network output is an intermediate result inside a neuron core (only a fused chain's last result leaves a core)" },
  IMC225: { severity: 'error', template: 'the sweep {what} {text} is outside 0 to {max} (a sigma, as a fraction: 0.05 is 5 %)', description: 'imcc evaluate --sweep: a start, stop or step outside 0 to 10' },
  IMC226: { severity: 'error', template: 'the sweep step is 0; give a positive step (or START = STOP for one point)', description: 'imcc evaluate --sweep: a zero step over a range' },
  IMC227: { severity: 'error', template: 'the sweep has {count} points; at most {max}', description: 'imcc evaluate --sweep: more than 1000 points' },
  IMC228: { severity: 'error', template: '--csv writes the rows of a sweep: add --sweep NAME=START:STOP:STEP', description: 'imcc evaluate: --csv without --sweep' },
  IMC229: { severity: 'error', template: 'device: give either {one} or {other}, not both', description: 'device: two settings that say the same thing (conductance and resistance, levels and bits)' },
  IMC230: { severity: 'error', template: 'device wire_resistance: give one value for rows and one for cols', description: 'device wire_resistance names the same direction twice' },
  IMC231: { severity: 'error', template: '{what}: {label} has {count} dimensions ({form}), found {found}', description: 'dimensions with the wrong number of sizes (for example 3x3 where CxHxW is expected)' },
  IMC232: { severity: 'error', template: '{what}: unexpected {found}', description: 'a value after the last one a statement takes' },
  IMC233: { severity: 'error', template: "{what}: '{key}' takes no 'name:' selector", description: 'a `name:` selector on a statement that takes none' },
  IMC234: { severity: 'error', template: "{what}: '{key}' takes a { ... } block, not values", description: 'values where a statement takes a { ... } block' },
  IMC235: { severity: 'error', template: "{what}: '{key}' takes values, not a { ... } block", description: 'a { ... } block where a statement takes values' },
  IMC236: { severity: 'error', template: "{what}: unknown unit '{unit}' (use {units})", description: 'a unit imcc does not know' },
  IMC237: { severity: 'error', template: '{what}: {label} needs a unit ({units})', description: 'a number without the unit its setting needs' },
  IMC238: { severity: 'error', template: "{what}: {label} needs the unit 'bits' (write {text} bits)", description: "a number of bits written without 'bits'" },
  IMC239: { severity: 'error', template: '{what}: {label} takes no unit, found {found}', description: 'a unit on a plain number' },
  IMC240: { severity: 'error', template: "{what}: {label} is a number of bits, found unit '{unit}'", description: 'another unit on a number of bits' },
  IMC241: { severity: 'error', template: '{what}: {label} is too large{allowed}', description: 'a number too large to represent (not finite)' },
  IMC242: { severity: 'error', template: 'flatten: {features} features is more than {max}', description: 'a flatten with more features than the network limit' },
  IMC243: { severity: 'error', template: '{op}: {count} weights is more than the limit of {limit} per layer', description: 'a layer with more weights than the per-layer limit' },
  IMC244: { severity: 'error', template: '{op}: padding {padding} must be smaller than the {what} ({kh}x{kw})', description: 'padding not smaller than the kernel or pooling window' },
  IMC245: { severity: 'error', template: "device {label}: the first value must be below the second ('low to high')", description: 'a device range written high to low' },
  IMC246: { severity: 'error', template: '{what}: model {model} needs {key} N', description: 'a neuron model without one of its required settings' },
  IMC247: { severity: 'error', template: 'mapping {kind}: no settings (replicas N, method 1|2, dw N, layout auto|IWAP|KLIP|PLIP)', description: 'a mapping directive with no settings' },
  IMC248: { severity: 'error', template: 'input needs a name: input image: 3x32x32, 8 bits', description: 'an input statement without a name' },
  IMC249: { severity: 'error', template: 'weights file: the path is empty', description: 'a weights file statement with an empty path' },
  IMC253: { severity: 'error', template: '{dir}/{marker} is not valid JSON', description: "imcc verify: the output directory's marker file is not JSON" },
  IMC254: { severity: 'error', template: '{dir}/{marker} records no design source', description: "imcc verify: the output directory's marker file names no design source" },
  IMC255: { severity: 'error', template: 'the design source {entry} recorded in {dir} cannot be found', description: 'imcc verify: the design source the output directory records is gone' },
  IMC251: { severity: 'error', template: 'Verilator is not installed (verilator was not found on the PATH)', description: 'imcc verify: Verilator is missing' },
  IMC256: { severity: 'error', template: '{file}: not a .npy file (it does not begin with the magic bytes 0x93 NUMPY)', description: 'a .npy input or data file that does not begin with the .npy magic bytes' },
  IMC257: { severity: 'error', template: '{file}: value {value} at index {index} is not a finite number', description: 'a float .npy input with a value that is not finite' },
  IMC258: { severity: 'error', template: '{file} holds {count} image(s); --index {index} is beyond them (0-based)', description: 'an --index beyond the images of a .npy input' },
  IMC259: { severity: 'error', template: '--index {index}: {file} holds one image (only .npy files hold several)', description: 'an --index other than 0 for an input file that holds one image' },
  IMC260: { severity: 'error', template: "weights file {file}: '{name}' has shape {shape}, the network needs {needed}", description: 'a weights file array of the wrong shape' },
  IMC261: { severity: 'error', template: "weights file {file}: '{name}' is {dtype}; {what} must be integers (quantize it, e.g. with imcc import)", description: 'a weights file array that is not integers' },
  IMC262: { severity: 'error', template: "weights file {file}: '{name}' must hold one positive number (the real value of one step)", description: 'a weights file input or output scale that is not one positive number' },
  IMC263: { severity: 'error', template: 'weights file {file} has arrays the network does not use: {arrays}', description: 'a weights file with arrays the network does not use' },
  IMC264: { severity: 'error', template: "node '{node}' (QuantizeLinear): uint8 activations (0 to 255) do not fit {bits}-bit signed activations; import with --activation-bits 9 or export int8 activations", description: 'imcc import: uint8 QDQ activations that do not fit the signed activation bits' },
  IMC265: { severity: 'error', template: "node '{node}' (QuantizeLinear): scale {scale} differs from {other}'s {otherScale} on a tensor the neuron core cannot rescale (a ReLU, pool or flatten and its input, a residual add and its inputs share one scale)", description: 'imcc import: different QDQ scales on tensors the neuron core cannot rescale' },
  IMC266: { severity: 'error', template: "node '{node}' (QuantizeLinear): scale {scale} on the clipped ReLU {relu}, whose clip at {clip} needs scale {needed} (the clip is the requantization's saturation)", description: "imcc import: a QDQ scale on a clipped ReLU that is not the clip's" },
  IMC267: { severity: 'error', template: "graph input '{input}' has shape [{shape}]; the importer needs N x C x H x W with fixed C, H and W", description: 'imcc import: a graph input that is not N x C x H x W with fixed C, H and W' },
  IMC268: { severity: 'error', template: "graph input '{input}' has batch size {batch}; export the model with batch 1 (or a dynamic batch)", description: 'imcc import: a graph input with a fixed batch size other than 1' },
  IMC269: { severity: 'error', template: 'the graph has {count} outputs; the importer needs exactly one', description: 'imcc import: a graph with more or fewer than one output' },
  IMC270: { severity: 'error', template: "the graph output '{output}' comes from no supported node", description: 'imcc import: a graph output no supported node produces' },
  IMC271: { severity: 'error', template: 'cannot read the {what} {file} ({reason})', description: 'imcc import / evaluate: a model or data file cannot be read' },
  IMC272: { severity: 'error', template: '{file} is not an ONNX model with a graph (truncated or another kind of file?)', description: 'imcc import: the model file decodes but holds no graph' },
  IMC273: { severity: 'error', template: '{file}: the graph has {count} non-constant inputs; the importer needs exactly one image input', description: 'imcc import: a graph without exactly one image input' },
  IMC274: { severity: 'error', template: "{where}: tensor '{tensor}' has data type {dtype}, which the importer does not read (float, double, int8, uint8, int32, int64)", description: 'imcc import: a tensor of a data type the importer does not read' },
  IMC275: { severity: 'error', template: "{where}: tensor '{tensor}' holds {bytes} bytes, its shape needs {needed} (truncated file?)", description: 'imcc import: a raw tensor whose bytes do not fill its shape' },
  IMC276: { severity: 'error', template: "{where}: tensor '{tensor}' holds {values} values, its shape needs {needed}", description: 'imcc import: a listed tensor whose values do not fill its shape' },
  IMC277: { severity: 'error', template: '{file}: .npy format version {version} is not supported (1, 2 or 3)', description: 'a .npy input or data file of a format version other than 1, 2 or 3' },
  IMC278: { severity: 'error', template: '{file}: the file is truncated inside its .npy header', description: 'a .npy input or data file that ends inside its header' },
  IMC279: { severity: 'error', template: '{file}: the header is not a numpy array header: {header}', description: "a .npy input or data file whose header lacks the array's dtype, order or shape" },
  IMC280: { severity: 'error', template: "{file}: dtype '{dtype}' is not supported (use int8..int64, uint8..uint64, float32 or float64)", description: 'a .npy input or data file of a dtype imcc does not read' },
  IMC281: { severity: 'error', template: "{file}: dtype '{dtype}' is big-endian (save it little-endian)", description: 'a big-endian .npy input or data file' },
  IMC282: { severity: 'error', template: '{file}: the array is in Fortran order (save a C-contiguous array)', description: 'a .npy input or data file in Fortran (column-major) order' },
  IMC283: { severity: 'error', template: '{file}: the shape ({shape}) is not a tuple of whole numbers', description: 'a .npy input or data file whose header shape is not whole numbers' },
  IMC284: { severity: 'error', template: "{file}: the data has {bytes} bytes, the header's shape ({shape}) of {dtype} needs {needed} (truncated file?)", description: "a .npy input or data file whose data does not fill its header's shape" },
  IMC285: { severity: 'error', template: '{file}: value {value} at index {index} is beyond 2^53 (not an exact number)', description: 'an int64 or uint64 .npy input or data file with a value a double cannot hold exactly' },
  IMC286: { severity: 'error', template: '--stream: {network} has integrate-and-fire neuron cores, whose RTL clears its cores between the timesteps of an image (verify its images one at a time)', description: 'imcc verify --stream on an integrate-and-fire design' },
  IMC250: { severity: 'error', template: "'{text}' is not an integer (activations are integers)", description: 'a value of the --input image that is not an integer' },
} as const satisfies Record<string, CatalogueEntry | RetiredEntry>;

type Catalogue = typeof CATALOGUE;

/** Every code, retired ones included. */
export type AnyDiagnosticCode = keyof Catalogue;

/** The codes a check can report. */
export type DiagnosticCode = { [C in AnyDiagnosticCode]: Catalogue[C] extends { template: string } ? C : never }[AnyDiagnosticCode];

/** Placeholder names of a template: `'{a} and {b}'` gives `'a' | 'b'` (a brace pair with a space inside is literal text). */
type Placeholders<T extends string> = T extends `${string}{${infer Name}}${infer Rest}`
  ? (Name extends `${string} ${string}` | '' ? never : Name) | Placeholders<Rest>
  : never;

/** The arguments a code's template needs, by name. */
export type DiagnosticArgs<C extends DiagnosticCode> = { readonly [K in Placeholders<Catalogue[C]['template']>]: string | number };

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return code in CATALOGUE && 'template' in CATALOGUE[code as AnyDiagnosticCode];
}

export function catalogueEntry(code: DiagnosticCode): CatalogueEntry {
  return CATALOGUE[code];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholder names of a template, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** The code's template with its arguments filled in. */
export function diagnosticMessage<C extends DiagnosticCode>(code: C, args: DiagnosticArgs<C>): string {
  const values = args as Readonly<Record<string, string | number>>;
  return catalogueEntry(code).template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${code}: no value for {${name}}`);
    return String(value);
  });
}

/** One-line descriptions by code (retired codes say so), for the public API and the docs. */
export const DIAGNOSTIC_CODES: Readonly<Record<AnyDiagnosticCode, string>> = Object.fromEntries(
  Object.entries(CATALOGUE).map(([code, e]) => [code, 'retired' in e ? `retired: ${e.retired}` : e.description]),
) as Record<AnyDiagnosticCode, string>;
