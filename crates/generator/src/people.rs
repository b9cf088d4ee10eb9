//! Realistic-looking personal data: Chinese names, valid national IDs, mobile
//! numbers. All synthetic; none belongs to a real person.

use chrono::{Datelike, NaiveDate};
use domain::{Gender, NationalId};
use rand::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "斌",
    "宇", "浩", "凯", "健", "俊", "帆", "建", "国", "文", "志", "海",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "燕", "婷", "雪", "慧", "颖", "倩", "琳", "欣", "佳",
    "悦", "晶", "云", "红", "梅", "萍", "兰", "月", "洁", "莉", "琴",
];
/// Administrative division codes of a few cities' districts.
const REGIONS: &[&str] = &[
    "110105", "110108", "310115", "310104", "440305", "440106", "330106", "320106", "510107", "420106", "610113",
    "500103", "120101", "370202", "350203", "430104", "410105", "340104", "210102", "230103",
];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
    "159", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199",
];

/// A name of one or two given characters after a common surname.
pub fn name(rng: &mut impl Rng, gender: Gender) -> String {
    let given = if gender == Gender::Male { GIVEN_MALE } else { GIVEN_FEMALE };
    let mut s = String::from(SURNAMES[rng.gen_range(0..SURNAMES.len())]);
    s.push_str(given[rng.gen_range(0..given.len())]);
    if rng.gen_bool(0.6) {
        s.push_str(given[rng.gen_range(0..given.len())]);
    }
    s
}

/// A valid 18-character ID for this birth date and gender.
pub fn national_id(rng: &mut impl Rng, birth: NaiveDate, gender: Gender) -> String {
    let region = REGIONS[rng.gen_range(0..REGIONS.len())];
    // The 17th digit is odd for men, even for women.
    let mut seq = rng.gen_range(0..500) * 2;
    if gender == Gender::Male {
        seq += 1;
    }
    let first = format!("{region}{:04}{:02}{:02}{seq:03}", birth.year(), birth.month(), birth.day());
    format!("{first}{}", NationalId::check_char(&first))
}

/// An 11-digit mobile number.
pub fn phone(rng: &mut impl Rng) -> String {
    let prefix = MOBILE_PREFIXES[rng.gen_range(0..MOBILE_PREFIXES.len())];
    format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn generated_ids_and_phones_pass_the_domain_rules() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        for _ in 0..1000 {
            let birth = NaiveDate::from_ymd_opt(1980, 2, 29).unwrap();
            let id = national_id(&mut rng, birth, Gender::Female);
            let parsed = NationalId::parse(&id).unwrap();
            assert_eq!(parsed.birth_date(), birth);
            assert_eq!((id.as_bytes()[16] - b'0') % 2, 0, "even for women");
            domain::Phone::parse(&phone(&mut rng)).unwrap();
            domain::PersonName::parse(&name(&mut rng, Gender::Male)).unwrap();
        }
    }
}
