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
