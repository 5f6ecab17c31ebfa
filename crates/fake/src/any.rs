//! [`AnyDataset`]: a dataset of any vendor behind one type, for code that handles every vendor
//! the same way (the `generate` command, benchmarks).

use eventmock_model::Vendor;

use crate::codec::IdError;
use crate::dataset::{Dataset, DatasetConfig, DatasetError};
use crate::vendors::{AuthentikGen, CfGen, HaloGen, InstavmGen, ProbelyGen};

/// A dataset of one of the five vendors.
pub enum AnyDataset {
    /// Probely.
    Probely(Dataset<ProbelyGen>),
    /// authentik.
    Authentik(Dataset<AuthentikGen>),
    /// Halo Security.
    Halo(Dataset<HaloGen>),
    /// InstaVM.
    Instavm(Dataset<InstavmGen>),
    /// Cloud Foundry v2.
    CloudFoundry(Dataset<CfGen>),
}

macro_rules! each {
    ($self:expr, $d:ident => $body:expr) => {
        match $self {
            AnyDataset::Probely($d) => $body,
            AnyDataset::Authentik($d) => $body,
            AnyDataset::Halo($d) => $body,
            AnyDataset::Instavm($d) => $body,
            AnyDataset::CloudFoundry($d) => $body,
        }
    };
}

impl AnyDataset {
    /// Builds the dataset of `vendor`.
    pub fn new(vendor: Vendor, config: DatasetConfig) -> Result<Self, DatasetError> {
        Ok(match vendor {
            Vendor::Probely => AnyDataset::Probely(Dataset::new(config)?),
            Vendor::Authentik => AnyDataset::Authentik(Dataset::new(config)?),
            Vendor::Halo => AnyDataset::Halo(Dataset::new(config)?),
            Vendor::Instavm => AnyDataset::Instavm(Dataset::new(config)?),
            Vendor::CloudFoundry => AnyDataset::CloudFoundry(Dataset::new(config)?),
        })
    }

    /// Lets the dataset grow at its head (see [`Dataset::with_arrivals`]).
    pub fn with_arrivals(self, arrivals: Option<crate::time::Arrivals>) -> Self {
        match self {
            AnyDataset::Probely(d) => AnyDataset::Probely(d.with_arrivals(arrivals)),
            AnyDataset::Authentik(d) => AnyDataset::Authentik(d.with_arrivals(arrivals)),
            AnyDataset::Halo(d) => AnyDataset::Halo(d.with_arrivals(arrivals)),
            AnyDataset::Instavm(d) => AnyDataset::Instavm(d.with_arrivals(arrivals)),
            AnyDataset::CloudFoundry(d) => AnyDataset::CloudFoundry(d.with_arrivals(arrivals)),
        }
    }

    /// The vendor.
    pub fn vendor(&self) -> Vendor {
        each!(self, d => d.context().vendor)
    }

    /// The number of events.
    pub fn len(&self) -> u64 {
        each!(self, d => d.len())
    }

    /// Always false: a dataset holds at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The id of event `index`.
    pub fn id(&self, index: u64) -> String {
        each!(self, d => d.id(index))
    }

    /// The index of `id`.
    pub fn index(&self, id: &str) -> Result<u64, IdError> {
        each!(self, d => d.index(id))
    }

    /// Appends event `index` as compact JSON to `out` (serde_json's bytes, written by
    /// [`eventmock_model::json::write_compact`]).
    pub fn write_event(&self, index: u64, out: &mut Vec<u8>) -> serde_json::Result<()> {
        each!(self, d => d.with_event(index, |event| eventmock_model::json::write_compact(out, event)))
    }

    /// Event `index` as a JSON value.
    pub fn event_value(&self, index: u64) -> serde_json::Result<serde_json::Value> {
        each!(self, d => serde_json::to_value(d.event(index)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast compact writer must produce serde_json's bytes for every event of every vendor
    /// (the server's answers and `generate`'s output depend on it).
    #[test]
    fn fast_json_is_serde_json_for_every_vendor() {
        for vendor in Vendor::ALL {
            for seed in [1, 42] {
                let config = DatasetConfig {
                    seed,
                    len: 3000,
                    ..DatasetConfig::default()
                };
                let dataset = AnyDataset::new(vendor, config).unwrap();
                let mut fast = Vec::new();
                for i in 0..dataset.len() {
                    fast.clear();
                    dataset.write_event(i, &mut fast).unwrap();
                    assert!(
                        each!(&dataset, d => eventmock_model::json::fast_path_writes(&d.event(i))),
                        "{vendor:?} event {i} falls back to serde_json"
                    );
                    let reference = each!(&dataset, d => serde_json::to_vec(&d.event(i))).unwrap();
                    assert_eq!(
                        String::from_utf8_lossy(&fast),
                        String::from_utf8_lossy(&reference),
                        "{vendor:?} seed {seed} event {i}"
                    );
                }
            }
        }
    }
}
