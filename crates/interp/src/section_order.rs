//! Where a section added by a preparation pass goes in the module's section order, for passes
//! that add a section the module may lack (`Reencode::intersperse_section_hook` names the next
//! section present).

use wasm_encoder::SectionId;

/// Whether `id` (the next section present, or `None` at the end) comes after the global section.
pub(crate) fn after_globals(id: Option<SectionId>) -> bool {
    matches!(
        id,
        None | Some(
            SectionId::Export
                | SectionId::Start
                | SectionId::Element
                | SectionId::DataCount
                | SectionId::Code
                | SectionId::Data
        )
    )
}

/// Whether `id` (the next section present, or `None` at the end) comes after the export section.
pub(crate) fn after_exports(id: Option<SectionId>) -> bool {
    after_globals(id) && id != Some(SectionId::Export)
}
