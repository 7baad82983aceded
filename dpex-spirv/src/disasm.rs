//! Disassembly of SPIR-V words into the textual form (`spirv-dis` style) used by golden tests
//! and `DPEX_DUMP_SPIRV`.

use rspirv::binary::Disassemble;
use thiserror::Error;

/// Why words could not be disassembled.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DisasmError {
    /// The words are not a well-formed SPIR-V module.
    #[error("not a well-formed SPIR-V module: {message}")]
    Parse {
        /// The parser's description of the problem.
        message: String,
    },
}

/// Disassembles a SPIR-V module. The text is stable for given words (ids are printed as
/// numbers or, when named with `OpName`, as `%name`), so it suits golden snapshots.
pub fn disassemble(words: &[u32]) -> Result<String, DisasmError> {
    let module = rspirv::dr::load_words(words).map_err(|e| DisasmError::Parse {
        message: e.to_string(),
    })?;
    Ok(module.disassemble())
}

/// The SPIR-V magic number, the first word of every module.
const MAGIC: u32 = 0x0723_0203;
/// `OpFunction`: after the first one a module holds only function bodies.
const OP_FUNCTION: u32 = 54;
/// `OpFunctionEnd`.
const OP_FUNCTION_END: u32 = 56;

/// One SPIR-V module found in a file: where it starts, its words and its entry point names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundModule {
    /// Byte offset of the module's first word in the file.
    pub offset: usize,
    /// The module's words.
    pub words: Vec<u32>,
    /// The names of its entry points (the kernels).
    pub entry_points: Vec<String>,
}

/// The SPIR-V modules embedded in `bytes` (for instance a binary whose `#[kernel]`s embed their
/// modules as static word arrays), in file order: every 4-byte-aligned little-endian magic
/// number that starts a module `rspirv` can parse. A module ends after the `OpFunctionEnd` that
/// no `OpFunction` follows.
pub fn find_modules(bytes: &[u8]) -> Vec<FoundModule> {
    let words: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < words.len() {
        if words[at] != MAGIC {
            at += 1;
            continue;
        }
        match module_at(&words[at..]) {
            Some((len, entry_points)) => {
                found.push(FoundModule {
                    offset: at * 4,
                    words: words[at..at + len].to_vec(),
                    entry_points,
                });
                at += len;
            }
            None => at += 1,
        }
    }
    found
}

/// The length in words and the entry point names of the module starting at `words[0]`, if one
/// parses there.
fn module_at(words: &[u32]) -> Option<(usize, Vec<String>)> {
    let header = words.get(..5)?;
    let version = header[1];
    let (major, minor) = ((version >> 16) & 0xff, (version >> 8) & 0xff);
    if major != 1 || minor > 6 || version & 0xff00_00ff != 0 || header[3] == 0 || header[4] != 0 {
        return None;
    }
    let mut at = 5;
    let mut in_functions = false;
    let end = loop {
        let word = *words.get(at)?;
        let (count, opcode) = ((word >> 16) as usize, word & 0xffff);
        if count == 0 || at + count > words.len() {
            return None;
        }
        in_functions |= opcode == OP_FUNCTION;
        at += count;
        if in_functions && opcode == OP_FUNCTION_END {
            let next_is_function = words.get(at).is_some_and(|&w| w & 0xffff == OP_FUNCTION);
            if !next_is_function {
                break at;
            }
        }
    };
    let module = rspirv::dr::load_words(&words[..end]).ok()?;
    let entry_points = module
        .entry_points
        .iter()
        .filter_map(|e| match e.operands.get(2) {
            Some(rspirv::dr::Operand::LiteralString(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    Some((end, entry_points))
}
