//! The pages of program authoring (the provider cabinet's «Программы») and of moderation
//! (the municipal and regional cabinets' «Модерация»).

pub mod authoring;
pub mod moderation;
