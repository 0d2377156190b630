/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * Ethernet frames carrying UDP over IPv4 or IPv6, as the OpenFlow punt path receives them in PACKET_IN messages
 * and sends them in PACKET_OUT messages: a pure byte-array codec, with no dependency on a network library.
 */
@NonNullByDefault
package org.pcpcontroller.impl.ingress.openflow.frame;

import org.eclipse.jdt.annotation.NonNullByDefault;
