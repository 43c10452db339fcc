//! The full program card of a demo program: what an organization would have typed into
//! «Создать программу». It must pass the same validation as the form (`Card::parse`), which
//! a test checks for every generated program. Drawn from a generator of its own, seeded by
//! the program, so the rest of the catalog stays what it was.

use crate::catalog::model::{Direction, Financing, Level, OvzKind, ProgramType, StudyForm};
use crate::catalog::store::Program;
use crate::programs::Card;

use super::rng::Rng;
use super::words::ProfileWords;

const GOALS: [&str; 3] = [
    "Развитие интереса ребёнка к занятиям по профилю «{}», его способностей и самостоятельности.",
    "Формирование у детей устойчивой мотивации к занятиям по профилю «{}» и навыков работы в команде.",
    "Создание условий для творческой самореализации детей через занятия по профилю «{}».",
];
const RESULTS: [&str; 3] = [
    "Ребёнок освоит основы профиля «{}», научится применять знания на практике и представит свою работу.",
    "Учащиеся освоят базовые приёмы, примут участие в конкурсах и выставках.",
    "Дети научатся работать по плану, доводить начатое до конца и оценивать результат.",
];

/// The card of `p` (generated from `words`).
pub fn card(p: &Program, words: &ProfileWords) -> Card {
    let mut rng = Rng::new(0x5eed_ca4d ^ p.id as u64);
    let announce = p
        .description
        .split_inclusive(". ")
        .next()
        .unwrap_or(&p.description)
        .trim()
        .to_owned();
    let program_type = match (p.direction, p.level) {
        (Direction::Sport, Level::Advanced) => ProgramType::SportTraining,
        (Direction::Art, Level::Advanced) => ProgramType::PreProfessional,
        _ => ProgramType::General,
    };
    let study_form = match rng.below(100) {
        0..=89 => StudyForm::FullTime,
        90..=96 => StudyForm::Blended,
        _ => StudyForm::Distance,
    };
    let mut ovz_kinds = Vec::new();
    if p.ovz {
        ovz_kinds.push(rng.pick(OvzKind::ALL));
        if rng.chance(40) {
            ovz_kinds.push(rng.pick(OvzKind::ALL));
        }
        ovz_kinds.sort();
        ovz_kinds.dedup();
    }
    let financing = match p.financing {
        Financing::Free => vec![Financing::Free],
        Financing::Certificate if rng.chance(30) => vec![Financing::Certificate, Financing::Paid],
        other => vec![other],
    };
    Card {
        title: p.title.clone(),
        short_title: p
            .title
            .chars()
            .take(100)
            .collect::<String>()
            .trim()
            .to_owned(),
        announce,
        description: p.description.clone(),
        goals: rng.pick(&GOALS).replace("{}", words.name),
        results: rng.pick(&RESULTS).replace("{}", words.name),
        direction: p.direction,
        profile_id: p.profile_id.clone(),
        level: p.level,
        program_type,
        age_min: p.ages.min(),
        age_max: p.ages.max(),
        duration_months: p.duration_months,
        hours: p.hours,
        study_form,
        ovz_kinds,
        financing,
        group_min: 1,
        group_max: 25,
    }
}
