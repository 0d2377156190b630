/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render;

import com.google.common.util.concurrent.ListenableFuture;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.pcpcontroller.api.mapping.Mapping;

/**
 * A renderer: puts stored mappings into effect on devices (netfilter rules over NETCONF, DSCP flows over OpenFlow).
 * Every renderer is a peer DS component offering this service; the {@link AnswerGate} waits for each one that
 * renders a mapping before a SUCCESS answer leaves, and a renderer that is not installed gates nothing.
 */
public interface MappingRenderer {
    /**
     * Which renderer this is, as the model names it in {@code render-status}.
     */
    Renderer kind();

    /**
     * Whether this renderer puts this mapping, as it is now, into effect on its gateway: the gateway is one it
     * renders and the mapping is of a kind it renders. Decided from what the renderer knows now, without waiting.
     */
    boolean renders(Mapping mapping);

    /**
     * Completes once the mapping, as it is now, is in effect on the gateway, or once it is known that it cannot be.
     * It does not time out by itself (the answer gate bounds the wait) and never fails.
     */
    ListenableFuture<RenderOutcome> whenRendered(Mapping mapping);
}
