import { Module } from '@nestjs/common';
import { LevelsController } from './levels.controller';
import { LevelsService } from './levels.service';

/** Level distributions and their history per region. */
@Module({ controllers: [LevelsController], providers: [LevelsService] })
export class LevelsModule {}
