/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * The OpenFlow connection service: listening for switches (address, port, TLS), version negotiation, FEATURES, echo,
 * request correlation (BARRIER, multipart) with bounded memory and timeouts, the datapath to gateway binding from the
 * gateway views, and {@code pcp-gateway:switches}. The punt ingress and the DSCP renderer both use it through
 * {@link org.pcpcontroller.impl.openflow.OpenFlowSwitches} and never see Netty.
 */
@NonNullByDefault
package org.pcpcontroller.impl.openflow;

import org.eclipse.jdt.annotation.NonNullByDefault;
