//! SPIR-V back ends: each turns a checked [`crate::ir::Module`] into SPIR-V words for one
//! client API. Only this module touches `rspirv`.

pub mod opencl;
