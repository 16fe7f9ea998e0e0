//! Parse: the stages that read one document's text against the template,
//! all pure. `decode` turns bytes into text, `tokenize` text into tokens
//! (or flowing text for `solve`), `solve` reads the tables into `align`'s
//! cells (`value` reads each cell's text), and `meta`, `region`, `sections`
//! and `narrative` read the rest: agency, year, place, the report's
//! sections and the numbers its prose states.

pub mod align;
pub mod decode;
pub mod meta;
pub mod narrative;
pub mod region;
pub mod sections;
pub mod solve;
pub mod tokenize;
pub mod value;
