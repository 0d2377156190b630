/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * NAT-PMP (RFC 6886) messages and their codec.
 */
@NonNullByDefault
package org.pcpcontroller.api.natpmp;

import org.eclipse.jdt.annotation.NonNullByDefault;
