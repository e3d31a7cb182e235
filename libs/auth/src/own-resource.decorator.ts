import { SetMetadata } from '@nestjs/common';
import { OWN_RESOURCE_KEY } from './auth.constants';

/**
 * Marks routes on which callers change what is their own (an integrator's webhook subscriptions,
 * an officer's read marks and e-mail preferences) rather than platform data: there an integrator
 * may write too. Token, roles (@Roles) and everything else are checked as usual.
 */
export const OwnResource = (): ClassDecorator & MethodDecorator => SetMetadata(OWN_RESOURCE_KEY, true);
