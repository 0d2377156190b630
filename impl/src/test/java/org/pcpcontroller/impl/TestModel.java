/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl;

import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yangtools.binding.runtime.spi.BindingRuntimeHelpers;
import org.opendaylight.yangtools.yang.model.api.EffectiveModelContext;
import org.pcpcontroller.impl.gateway.GatewayParser;
import org.pcpcontroller.impl.gateway.ModelDefaults;

/**
 * The project's YANG model as the tests see it, built once: the model's defaults come from it as they do at runtime.
 */
public final class TestModel {
    /** The pcp-gateway, pcp-flow-priority and pcp-mapping modules with their imports. */
    public static final EffectiveModelContext CONTEXT = BindingRuntimeHelpers.createEffectiveModel(Gateways.class,
        FlowPriority.class, Mappings.class);
    /** The gateway parser, with the model's defaults. */
    public static final GatewayParser PARSER = new GatewayParser(new ModelDefaults(CONTEXT));

    private TestModel() {
        // constants
    }
}
