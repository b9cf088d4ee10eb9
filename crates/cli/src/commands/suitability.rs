//! `brokerdesk suitability`: the gate's one matching function, asked from
//! the command line: an investor and a product in, the verdict and its
//! reasons (Chinese and English) out.

use advice::matching::{judge, Investor, ProductTerms};
use domain::{Horizon, InvestorClass, ProductRisk, Variety};

/// Judge whether a product suits an investor, as the gate at sale does.
#[derive(Debug, clap::Args)]
pub struct SuitabilityArgs {
    /// The investor's class: C1-lowest, C1 .. C5.
    #[arg(long)]
    investor: String,
    /// A qualified professional investor (may buy any product).
    #[arg(long)]
    professional: bool,
    /// The investor's horizon: short, medium or long (not given: not tested).
    #[arg(long)]
    horizon: Option<String>,
    /// The varieties the investor chose, comma-separated: stocks, funds, bonds, derivatives.
    #[arg(long)]
    varieties: Option<String>,
    /// The investor's age (from 60, above R3 needs enhanced care).
    #[arg(long)]
    age: Option<u32>,
    /// The product's rating: R1 .. R5.
    #[arg(long)]
    product: String,
    /// The product's horizon: short, medium or long.
    #[arg(long = "product-horizon")]
    product_horizon: Option<String>,
    /// The product's variety: stocks, funds, bonds or derivatives.
    #[arg(long = "product-variety")]
    product_variety: Option<String>,
    /// Print JSON: {"verdict", "reasons": [{"code", "zh", "en"}]}.
    #[arg(long)]
    json: bool,
}

fn parsed<T: std::str::FromStr<Err = domain::DomainError>>(flag: &str, value: &str) -> anyhow::Result<T> {
    value.parse().map_err(|e: domain::DomainError| anyhow::anyhow!("--{flag}: {}", e.reason()))
}

/// Prints the verdict and its reasons.
pub fn run(args: SuitabilityArgs) -> anyhow::Result<()> {
    let class: InvestorClass = parsed("investor", &args.investor)?;
    let horizon: Option<Horizon> = args.horizon.as_deref().map(|h| parsed("horizon", h)).transpose()?;
    let varieties: Option<Vec<Variety>> = args
        .varieties
        .as_deref()
        .map(|list| list.split(',').map(str::trim).filter(|v| !v.is_empty()).map(|v| parsed("varieties", v)).collect())
        .transpose()?;
    let investor = Investor { class, professional: args.professional, horizon, varieties, age: args.age };
    let product = ProductTerms {
        risk: parsed::<ProductRisk>("product", &args.product)?,
        horizon: args.product_horizon.as_deref().map(|h| parsed("product-horizon", h)).transpose()?,
        variety: args.product_variety.as_deref().map(|v| parsed("product-variety", v)).transpose()?,
    };
    let judgement = judge(&investor, &product);
    if args.json {
        let body = serde_json::json!({ "verdict": judgement.verdict, "reasons": judgement.texts() });
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        println!("{}", judgement.verdict);
        for r in judgement.texts() {
            println!("- {}\n  {}", r.en, r.zh);
        }
    }
    Ok(())
}
