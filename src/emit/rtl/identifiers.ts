// The one way a name from the DSL (network, layer, core) becomes a Verilog identifier. Nothing else may paste user
// text into RTL: lowercase, [a-z0-9_] only, never starting with a digit, never a Verilog/SystemVerilog keyword, and
// unique within one `IdentifierScope` (two DSL names that sanitize alike get numbered suffixes, in first-seen order).

const KEYWORDS = new Set(
  (
    'always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam ' +
    'design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify ' +
    'endtable endtask event for force forever fork function generate genvar highz0 highz1 if ifnone incdir include ' +
    'initial inout input instance integer join large liblist library localparam macromodule medium module nand ' +
    'negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 ' +
    'pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg release repeat rnmos rpmos rtran ' +
    'rtranif0 rtranif1 scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table ' +
    'task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 ' +
    'weak1 while wire wor xnor xor ' +
    // SystemVerilog keywords Verilator also reserves.
    'alias always_comb always_ff always_latch assert assume before bind bins binsof bit break byte chandle class ' +
    'clocking const constraint context continue cover covergroup coverpoint cross dist do endclass endclocking ' +
    'endgroup endinterface endpackage endprogram endproperty endsequence enum expect export extends extern final ' +
    'first_match foreach forkjoin iff ignore_bins illegal_bins import inside int interface intersect join_any ' +
    'join_none local logic longint matches modport new null package packed priority program property protected pure ' +
    'rand randc randcase randsequence ref return sequence shortint shortreal solve static string struct super ' +
    'tagged this throughout timeprecision timeunit type typedef union unique var virtual void wait_order wildcard ' +
    'with within'
  ).split(' '),
);

/** Sanitizes one name: lowercase, runs of other characters become one `_`, a leading digit or keyword gets a prefix. */
export function sanitizeName(name: string): string {
  let id = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (id === '') id = 'n';
  if (/^[0-9]/.test(id)) id = `n_${id}`;
  if (KEYWORDS.has(id)) id = `${id}_n`;
  return id;
}

/** Hands out unique identifiers: the same DSL name always gets the same identifier in one scope. */
export class IdentifierScope {
  private readonly byName = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  verilogIdentifier(name: string): string {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const base = sanitizeName(name);
    let id = base;
    for (let i = 1; this.taken.has(id); i++) id = `${base}_${i}`;
    this.taken.add(id);
    this.byName.set(name, id);
    return id;
  }
}

/** One-off sanitizing of a single name (unique trivially); use an IdentifierScope for sets of names. */
export function verilogIdentifier(name: string): string {
  return sanitizeName(name);
}

/**
 * DSL names and file paths shown in generated comments: printable ASCII only, so no name can end a comment or a line
 * (and so smuggle text into the RTL). Identifiers never use this; they go through verilogIdentifier.
 */
export function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/\*\//g, '*?');
}
