//! Tools beside the pipeline: the codebook of the dataset's codes, the
//! synthetic reports the tests and benches read, and `xxgk check`'s reading
//! of a written dataset.

pub mod codebook;
pub mod quality;
pub mod synth;
