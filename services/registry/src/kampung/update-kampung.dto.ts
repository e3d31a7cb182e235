import { OmitType, PartialType } from '@nestjs/swagger';
import { RegisterKampungDto } from './register-kampung.dto';

/**
 * Every field optional; the village cannot change (deactivate and register anew instead). A field
 * left out stays as it is; `null` is refused except where the register takes it (a field officer,
 * a description: see RegisterKampungDto), so `{"name": null}` is a 400, not a NOT NULL violation.
 */
export class UpdateKampungDto extends PartialType(OmitType(RegisterKampungDto, ['villageCode'] as const), {
  skipNullProperties: false,
}) {}
