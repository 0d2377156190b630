/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * The OpenFlow DSCP renderer: a mapping with FLOW_PRIORITY becomes flows setting ip_dscp on the gateway's switches.
 */
@NonNullByDefault
package org.pcpcontroller.impl.render.dscp;

import org.eclipse.jdt.annotation.NonNullByDefault;
