// The version recorded in generated files. Fixed text (not read from the environment) so outputs are reproducible.
export const IMCC_VERSION = '0.1.0';
