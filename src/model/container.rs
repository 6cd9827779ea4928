//! The container view shared by Compose and Kubernetes: one type for "a container that runs",
//! with its role and the entities around it (its pod template and object, or its Compose
//! service). A rule over containers reads this and never matches on the format.
//!
//! Compose services are regular ([`ContainerRole::App`]) containers.

use crate::document::FileKind;
use crate::model::compose::Service;
use crate::model::kubernetes::{self, Object, PodTemplate};
use crate::source::{Span, Spanned};

pub use crate::model::kubernetes::ContainerRole;

/// A pod template with the object holding it, and their positions in the stream (the keys of
/// the per-pod facts in [`crate::semantic::Semantic`]).
#[derive(Clone, Copy, Debug)]
pub struct Pod<'a> {
    pub object: &'a Object,
    pub template: &'a PodTemplate,
    pub object_index: usize,
    pub template_index: usize,
}

impl Pod<'_> {
    /// `Deployment/plant/historian`, with the template's path when it was found structurally
    /// (`Rollout/r › spec.template.spec`).
    pub fn logical_path(&self) -> String {
        let object = self.object.logical_name();
        if self.template.inferred {
            format!("{object} › {}", self.template.path)
        } else {
            object
        }
    }
}

/// One container: a Kubernetes container of a pod template, or a Compose service.
#[derive(Clone, Copy, Debug)]
pub enum ContainerView<'a> {
    Kubernetes { pod: Pod<'a>, container: &'a kubernetes::Container },
    Compose { service: &'a Service, index: usize },
}

impl<'a> ContainerView<'a> {
    pub fn role(&self) -> ContainerRole {
        match self {
            ContainerView::Kubernetes { container, .. } => container.role,
            ContainerView::Compose { .. } => ContainerRole::App,
        }
    }

    pub fn kind(&self) -> FileKind {
        match self {
            ContainerView::Kubernetes { .. } => FileKind::Kubernetes,
            ContainerView::Compose { .. } => FileKind::Compose,
        }
    }

    /// `image:` as written.
    pub fn image(&self) -> Option<&'a Spanned<String>> {
        match self {
            ContainerView::Kubernetes { container, .. } => container.image.as_ref(),
            ContainerView::Compose { service, .. } => service.image.as_ref(),
        }
    }

    /// The container's (or service's) name as written.
    pub fn name(&self) -> Option<&'a Spanned<String>> {
        match self {
            ContainerView::Kubernetes { container, .. } => container.name.as_ref(),
            ContainerView::Compose { service, .. } => Some(&service.name),
        }
    }

    /// Where a finding about the whole container points: its name.
    pub fn anchor_span(&self) -> Span {
        match self {
            ContainerView::Kubernetes { container, .. } => container.anchor_span(),
            ContainerView::Compose { service, .. } => service.name.span,
        }
    }

    /// The pod template and object around a Kubernetes container.
    pub fn pod(&self) -> Option<Pod<'a>> {
        match self {
            ContainerView::Kubernetes { pod, .. } => Some(*pod),
            ContainerView::Compose { .. } => None,
        }
    }

    /// The Kubernetes container, with its fields.
    pub fn kubernetes(&self) -> Option<&'a kubernetes::Container> {
        match self {
            ContainerView::Kubernetes { container, .. } => Some(container),
            ContainerView::Compose { .. } => None,
        }
    }

    /// The Compose service, with its fields.
    pub fn service(&self) -> Option<&'a Service> {
        match self {
            ContainerView::Kubernetes { .. } => None,
            ContainerView::Compose { service, .. } => Some(service),
        }
    }

    /// `Deployment/plant/historian › containers[db]`, `services[web]`.
    pub fn logical_path(&self) -> String {
        match self {
            ContainerView::Kubernetes { pod, container } => {
                let list = match container.role {
                    ContainerRole::App => "containers",
                    ContainerRole::Init | ContainerRole::Sidecar => "initContainers",
                    ContainerRole::Ephemeral => "ephemeralContainers",
                };
                let name = container.name.as_ref().map_or("", |n| n.value.as_str());
                format!("{} › {list}[{name}]", pod.logical_path())
            }
            ContainerView::Compose { service, .. } => service_path(service),
        }
    }
}

/// `services[web]`.
pub fn service_path(service: &Service) -> String {
    format!("services[{}]", service.name.value)
}
