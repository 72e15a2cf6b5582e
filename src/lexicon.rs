//! TEMPORARY stand-in for the drug lexicon (replaced by the lexicon branch).
use crate::model::{Category, Drug};
/// Stand-in.
pub struct Lexicon;
impl Lexicon {
    /// Stand-in.
    pub fn builtin() -> &'static Lexicon {
        &Lexicon
    }
    /// Stand-in.
    pub fn identify_drug(&self, _item: &str) -> Option<Drug> {
        None
    }
    /// Stand-in.
    pub fn categorize(&self, _item: &str, drug: Option<&Drug>) -> Category {
        if drug.is_some() {
            Category::Pharmacy
        } else {
            Category::Other
        }
    }
}
