/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * NETCONF Call Home over SSH (RFC 8071), controller side: gateways behind carrier NAT open the TCP connection to
 * the controller (IANA port 4334, netconf-ch-ssh), and the controller runs its SSH client and NETCONF over it,
 * identifying the gateway by its SSH host key. {@link org.pcpcontroller.impl.render.netfilter.callhome.CallHome}
 * hands the netfilter renderer's transport a NETCONF session per gateway, as
 * {@link org.opendaylight.netconf.client.NetconfClientFactory} does for a gateway it dials. As everywhere in this
 * project, whatever may be null says so with {@code @Nullable}; nothing else is.
 */
package org.pcpcontroller.impl.render.netfilter.callhome;
