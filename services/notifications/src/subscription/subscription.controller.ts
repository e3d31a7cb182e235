import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Role, type Principal, OwnResource, Roles } from '@kkb/auth';
import { PageQuery, UuidPipe } from '@kkb/platform';
import { AttemptView, DeliveryPage, DeliveryView, DeliveryWithAttemptsView } from '../delivery/delivery.view';
import { CreateSubscriptionDto } from './create-subscription.dto';
import { ListDeliveriesQuery } from './list-deliveries.query';
import { ReplayDto } from './replay.dto';
import { SubscriptionService } from './subscription.service';
import {
  PingResultView,
  ReplayResultView,
  SubscriptionPage,
  SubscriptionView,
  SubscriptionWithSecret,
} from './subscription.view';
import { UpdateSubscriptionDto } from './update-subscription.dto';

const uuid = UuidPipe;

/**
 * Webhook subscriptions. An integrator (or a national officer) manages its own: they are its
 * resources, so the platform's "integrators only read" rule does not apply here (see OwnResource).
 */
@ApiTags('subscriptions')
@ApiBearerAuth()
@OwnResource()
@Roles(Role.integrator, Role.national)
@Controller('api/v1/subscriptions')
export class SubscriptionController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Post()
  @ApiOperation({ summary: 'Subscribe an endpoint; the signing secret is returned this once' })
  @ApiCreatedResponse({ type: SubscriptionWithSecret })
  async create(
    @Body() dto: CreateSubscriptionDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionWithSecret> {
    const s = await this.subscriptions.create(dto, user);
    void reply.header('location', `/api/v1/subscriptions/${s.id}`);
    return s;
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s subscriptions' })
  @ApiOkResponse({ type: SubscriptionPage })
  list(@Query() q: PageQuery, @CurrentUser() user: Principal): Promise<SubscriptionPage> {
    return this.subscriptions.list(user, q);
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the caller's subscriptions" })
  @ApiOkResponse({ type: SubscriptionView })
  get(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<SubscriptionView> {
    return this.subscriptions.get(id, user);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL, event types, region filter or description' })
  @ApiOkResponse({ type: SubscriptionView })
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateSubscriptionDto,
    @CurrentUser() user: Principal,
  ): Promise<SubscriptionView> {
    return this.subscriptions.update(id, dto, user);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a subscription; nothing more is sent to it' })
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<void> {
    await this.subscriptions.remove(id, user);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop sending; deliveries wait and are sent on resume' })
  @ApiOkResponse({ type: SubscriptionView })
  pause(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<SubscriptionView> {
    return this.subscriptions.pause(id, user);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send again (also after an automatic pause or a 410)' })
  @ApiOkResponse({ type: SubscriptionView })
  resume(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<SubscriptionView> {
    return this.subscriptions.resume(id, user);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'New signing secret; the old one keeps signing alongside for a grace period' })
  @ApiOkResponse({ type: SubscriptionWithSecret })
  rotate(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<SubscriptionWithSecret> {
    return this.subscriptions.rotateSecret(id, user);
  }

  @Post(':id/ping')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a signed test request now and report how the endpoint answered' })
  @ApiOkResponse({ type: PingResultView })
  ping(@Param('id', uuid) id: string, @CurrentUser() user: Principal): Promise<PingResultView> {
    return this.subscriptions.ping(id, user);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Delivery log, newest first' })
  @ApiOkResponse({ type: DeliveryPage })
  deliveries(
    @Param('id', uuid) id: string,
    @Query() q: ListDeliveriesQuery,
    @CurrentUser() user: Principal,
  ): Promise<DeliveryPage> {
    return this.subscriptions.listDeliveries(id, q, user);
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery with every attempt' })
  @ApiOkResponse({ type: DeliveryWithAttemptsView })
  delivery(
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
    @CurrentUser() user: Principal,
  ): Promise<DeliveryWithAttemptsView> {
    return this.subscriptions.getDelivery(id, deliveryId, user);
  }

  @Get(':id/deliveries/:deliveryId/attempts')
  @ApiOperation({ summary: 'Every attempt of one delivery: status code, latency, error' })
  @ApiOkResponse({ type: [AttemptView] })
  attempts(
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
    @CurrentUser() user: Principal,
  ): Promise<AttemptView[]> {
    return this.subscriptions.attempts(id, deliveryId, user);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @ApiOperation({ summary: 'Send the event of this delivery again, as a new delivery' })
  @ApiCreatedResponse({ type: DeliveryView })
  redeliver(
    @Param('id', uuid) id: string,
    @Param('deliveryId', uuid) deliveryId: string,
    @CurrentUser() user: Principal,
  ): Promise<DeliveryView> {
    return this.subscriptions.redeliver(id, deliveryId, user);
  }

  @Post(':id/replay')
  @ApiOperation({ summary: 'Send again every event in [from, to) that the subscription takes' })
  @ApiCreatedResponse({ type: ReplayResultView })
  replay(
    @Param('id', uuid) id: string,
    @Body() dto: ReplayDto,
    @CurrentUser() user: Principal,
  ): Promise<ReplayResultView> {
    return this.subscriptions.replay(id, dto, user);
  }
}
