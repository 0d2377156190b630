/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * The OpenFlow punt ingress: punt flows and meter per bound switch, PACKET_IN to the engine, PACKET_OUT.
 */
@NonNullByDefault
package org.pcpcontroller.impl.ingress.openflow;

import org.eclipse.jdt.annotation.NonNullByDefault;
