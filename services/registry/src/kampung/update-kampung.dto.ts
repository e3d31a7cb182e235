import { OmitType, PartialType } from '@nestjs/swagger';
import { RegisterKampungDto } from './register-kampung.dto';

/** Every field optional; the village cannot change (deactivate and register anew instead). */
export class UpdateKampungDto extends PartialType(OmitType(RegisterKampungDto, ['villageCode'] as const)) {}
