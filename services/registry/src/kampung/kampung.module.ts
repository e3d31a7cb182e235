import { Module } from '@nestjs/common';
import { KampungController } from './kampung.controller';
import { KampungService } from './kampung.service';

@Module({ controllers: [KampungController], providers: [KampungService] })
export class KampungModule {}
