/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.netfilter.rev261123.Netfilter;
import org.opendaylight.yangtools.binding.runtime.spi.BindingRuntimeHelpers;
import org.opendaylight.yangtools.yang.model.api.ChoiceSchemaNode;
import org.opendaylight.yangtools.yang.model.api.DataNodeContainer;
import org.opendaylight.yangtools.yang.model.api.DataSchemaNode;
import org.opendaylight.yangtools.yang.model.api.DocumentedNode;
import org.opendaylight.yangtools.yang.model.api.TypeDefinition;
import org.opendaylight.yangtools.yang.model.api.type.EnumTypeDefinition;

/**
 * Every node, type, enum value and RPC of our YANG modules carries a description (yanglint does not check it).
 */
class ModelDescriptionsTest {
    @Test
    void everyNodeIsDescribed() {
        final var context = BindingRuntimeHelpers.createEffectiveModel(Gateways.class, Mappings.class,
            FlowPriority.class, Netfilter.class);
        final var missing = new ArrayList<String>();
        int modules = 0;
        for (var module : context.getModules()) {
            if (!module.getNamespace().toString().startsWith("urn:pcpcontroller:")) {
                continue;
            }
            modules++;
            final var name = module.getName();
            check(name, module, missing);
            module.getTypeDefinitions().forEach(type -> checkType(name, type, missing));
            module.getGroupings().forEach(grouping -> {
                check(name + " grouping " + grouping.getQName().getLocalName(), grouping, missing);
                walk(name, grouping, missing);
            });
            walk(name, module, missing);
            for (var rpc : module.getRpcs()) {
                check(name + ":" + rpc.getQName().getLocalName(), rpc, missing);
                walk(name + ":" + rpc.getQName().getLocalName(), rpc.getInput(), missing);
                walk(name + ":" + rpc.getQName().getLocalName(), rpc.getOutput(), missing);
            }
        }
        assertEquals(4, modules);
        assertEquals(List.of(), missing);
    }

    private static void walk(final String where, final DataNodeContainer container, final List<String> missing) {
        for (var child : container.getChildNodes()) {
            final var path = where + "/" + child.getQName().getLocalName();
            if (!child.isAugmenting()) {
                check(path, child, missing);
            }
            leafType(path, child, missing);
            if (child instanceof DataNodeContainer nested) {
                walk(path, nested, missing);
            } else if (child instanceof ChoiceSchemaNode choice) {
                for (var caze : choice.getCases()) {
                    walk(path, caze, missing);
                }
            }
        }
        container.getTypeDefinitions().forEach(type -> checkType(where, type, missing));
    }

    private static void leafType(final String path, final DataSchemaNode node, final List<String> missing) {
        final TypeDefinition<?> type = switch (node) {
            case org.opendaylight.yangtools.yang.model.api.LeafSchemaNode leaf -> leaf.getType();
            case org.opendaylight.yangtools.yang.model.api.LeafListSchemaNode list -> list.getType();
            default -> null;
        };
        if (type instanceof EnumTypeDefinition enums) {
            enums.getValues().forEach(pair -> {
                if (pair.getDescription().isEmpty()) {
                    missing.add(path + " enum " + pair.getName());
                }
            });
        }
    }

    private static void checkType(final String where, final TypeDefinition<?> type, final List<String> missing) {
        check(where + " typedef " + type.getQName().getLocalName(), type, missing);
        if (type instanceof EnumTypeDefinition enums) {
            enums.getValues().forEach(pair -> {
                if (pair.getDescription().isEmpty()) {
                    missing.add(where + " typedef " + type.getQName().getLocalName() + " enum " + pair.getName());
                }
            });
        }
    }

    private static void check(final String path, final DocumentedNode node, final List<String> missing) {
        if (node.getDescription().isEmpty()) {
            missing.add(path);
        }
    }

}
