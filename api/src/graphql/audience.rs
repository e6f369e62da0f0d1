//! The partner schema, built by construction from the internal one.
//!
//! async-graphql's `visible` only hides from introspection (validation and execution
//! ignore it, and an unannotated field is visible), so the partner schema is instead a
//! second `Schema` whose *registry* holds only what `policy::fields` allows. The roots
//! are wrapped in [`PartnerView`], whose `create_type_info` registers the real roots and
//! then prunes the registry. Validation, introspection and SDL export all read that
//! registry, so a name that is not allowed is refused exactly like a name that does not
//! exist — in selections, fragments, arguments, variables, input fields and enum values
//! — and the resolvers behind it can never be reached.

use std::{borrow::Cow, collections::HashSet};

use async_graphql::{
    ContainerType, Context, ContextSelectionSet, ObjectType, OutputType, Positioned, ServerResult,
    Value,
    parser::types::Field,
    registry::{MetaType, MetaTypeName, Registry},
};

use crate::auth::policy::fields;

/// A schema root as partners see it: the same resolvers, a pruned registry.
#[derive(Default)]
pub struct PartnerView<T>(pub T);

impl<T: ContainerType> OutputType for PartnerView<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let name = T::create_type_info(registry);
        // Each root prunes after registering, so types that a later root registers
        // again are pruned again; the schema builder then drops unreachable types.
        prune(registry);
        name
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        self.0.resolve(ctx, field).await
    }
}

impl<T: ContainerType> ContainerType for PartnerView<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }
}

impl<T: ObjectType> ObjectType for PartnerView<T> {}

fn base(ty: &str) -> &str {
    MetaTypeName::concrete_typename(ty)
}

/// Removes from the registry everything the partner allowlist does not name, and then
/// whatever would dangle (a field of a removed type, a type left without members),
/// until nothing changes.
pub fn prune(registry: &mut Registry) {
    loop {
        let before = size(registry);
        registry.types.retain(|name, ty| {
            fields::partner_type(name) && (name.starts_with("__") || !is_empty(ty))
        });
        let present: HashSet<String> = registry.types.keys().cloned().collect();
        for (type_name, ty) in registry.types.iter_mut() {
            if type_name.starts_with("__") {
                continue;
            }
            match ty {
                MetaType::Object { fields: fs, .. } | MetaType::Interface { fields: fs, .. } => {
                    fs.retain(|name, f| {
                        fields::partner_member(type_name, name)
                            && present.contains(base(&f.ty))
                            // A required argument that partners may not pass takes the
                            // whole field with it.
                            && f.args.iter().all(|(arg, v)| {
                                !MetaTypeName::create(&v.ty).is_non_null()
                                    || v.default_value.is_some()
                                    || (fields::partner_argument(type_name, name, arg)
                                        && present.contains(base(&v.ty)))
                            })
                    });
                    for (field_name, f) in fs.iter_mut() {
                        f.args.retain(|arg, v| {
                            fields::partner_argument(type_name, field_name, arg)
                                && present.contains(base(&v.ty))
                        });
                    }
                }
                MetaType::InputObject { input_fields, .. } => input_fields.retain(|name, v| {
                    fields::partner_member(type_name, name) && present.contains(base(&v.ty))
                }),
                MetaType::Enum { enum_values, .. } => {
                    enum_values.retain(|name, _| fields::partner_member(type_name, name));
                }
                MetaType::Scalar { .. } | MetaType::Union { .. } => {}
            }
            if let MetaType::Interface { possible_types, .. }
            | MetaType::Union { possible_types, .. } = ty
            {
                possible_types.retain(|t| present.contains(t));
            }
        }
        registry.implements.retain(|t, _| present.contains(t));
        for interfaces in registry.implements.values_mut() {
            interfaces.retain(|i| present.contains(i));
        }
        if size(registry) == before {
            break;
        }
    }
}

fn is_empty(ty: &MetaType) -> bool {
    match ty {
        MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => fields.is_empty(),
        MetaType::InputObject { input_fields, .. } => input_fields.is_empty(),
        MetaType::Enum { enum_values, .. } => enum_values.is_empty(),
        MetaType::Union { possible_types, .. } => possible_types.is_empty(),
        MetaType::Scalar { .. } => false,
    }
}

/// Counts every type, member and argument, to detect the fixed point.
fn size(registry: &Registry) -> usize {
    registry
        .types
        .values()
        .map(|ty| {
            1 + match ty {
                MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => {
                    fields.values().map(|f| 1 + f.args.len()).sum::<usize>()
                }
                MetaType::InputObject { input_fields, .. } => input_fields.len(),
                MetaType::Enum { enum_values, .. } => enum_values.len(),
                MetaType::Union { possible_types, .. } => possible_types.len(),
                MetaType::Scalar { .. } => 0,
            }
        })
        .sum()
}
